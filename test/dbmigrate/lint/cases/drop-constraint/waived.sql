-- dbmigrate:allow drop-constraint replaced by posts_title_length_check in the statement before
ALTER TABLE posts DROP CONSTRAINT posts_title_check;
