UPDATE posts SET excerpt = NULL;
