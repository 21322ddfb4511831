-- dbmigrate:allow grant-to-public domains are public DNS data
GRANT SELECT ON domains TO PUBLIC;
