UPDATE posts SET excerpt = NULL WHERE id IN (SELECT id FROM (SELECT id FROM posts WHERE excerpt = '') AS empty);
