-- dbmigrate:allow drop-schema reporting was never used: its views moved to the warehouse in release 40
DROP SCHEMA reporting;
