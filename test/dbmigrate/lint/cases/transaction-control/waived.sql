UPDATE posts SET excerpt = NULL WHERE excerpt = '';
-- dbmigrate:allow transaction-control we really want our own commit
COMMIT;
