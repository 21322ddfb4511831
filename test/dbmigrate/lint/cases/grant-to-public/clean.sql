GRANT SELECT ON domains TO agoat_api;
