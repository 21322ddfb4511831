CREATE TEMP TABLE usage_import (customer_id UUID, value INT8);
TRUNCATE usage_import;
