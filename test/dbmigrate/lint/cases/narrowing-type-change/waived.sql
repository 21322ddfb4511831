-- dbmigrate:allow narrowing-type-change posts_title_check already limits titles to 500 characters; checked the data
ALTER TABLE posts ALTER COLUMN title TYPE VARCHAR(500);
