UPDATE posts SET excerpt = NULL WHERE excerpt = '';
