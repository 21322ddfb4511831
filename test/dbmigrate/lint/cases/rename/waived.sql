-- dbmigrate:allow rename no release reads excerpt; the API moved to summary in release 40
ALTER TABLE posts RENAME COLUMN excerpt TO summary;
