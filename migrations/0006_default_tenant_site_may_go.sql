-- 0006_default_tenant_site_may_go: deleting the default site is an operator's right.
--
-- 0004 tied default_tenant to its site with a foreign key, so a site row could not be deleted
-- while it was the default. The record now keeps the customer's key only: when the default site is
-- deleted (or soft-deleted), `status` and a Pulumi refresh report it missing, and the next `up`
-- creates a site for the same customer and points the record at it.

-- dbmigrate:allow drop-constraint the engine checks the record itself and replaces a missing site
ALTER TABLE default_tenant DROP CONSTRAINT default_tenant_site_fkey;

-- dbmigrate:allow constraint-missing-not-valid default_tenant has one row at most: the scan is instant
-- dbmigrate:allow adding-foreign-key-constraint one row at most, and customers is locked for a moment only
ALTER TABLE default_tenant ADD CONSTRAINT default_tenant_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);
