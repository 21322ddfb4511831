-- dbmigrate:allow drop-table site_settings moved to the settings service in release 42; backup taken
DROP TABLE site_settings;
