-- A long documented PL/pgSQL function and the trigger that uses it (bodies over 2 KB are common:
-- validation, auditing, denormalised counters).
CREATE TABLE app.order_events (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES app.orders (id) ON DELETE CASCADE,
    old_status app.order_status,
    new_status app.order_status NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE OR REPLACE FUNCTION app.record_order_status_change() RETURNS trigger
LANGUAGE plpgsql
AS $body$
-- ---------------------------------------------------------------------------------------------
-- record_order_status_change
--
-- Called AFTER INSERT OR UPDATE OF status ON app.orders, FOR EACH ROW.
--
-- Why a trigger and not application code: three services write orders (checkout, support tools
-- and the nightly reconciliation job), and every one of them must leave the same trail. Putting
-- the rule next to the data means a new writer cannot forget it.
--
-- Rules enforced here, in order:
--   1. A shipped order cannot move back to pending or paid. Support fixes mistakes by cancelling
--      and re-creating, never by rewinding; we raise check_violation so the writer sees a clear
--      error instead of a silent no-op.
--   2. A cancelled order is final: nothing moves out of cancelled.
--   3. Every real change (old status distinct from new) is written to app.order_events with the
--      time of the change, so reporting can compute time-in-status without scanning logs.
--   4. updated_at on the owning account is touched, because the account page shows "last
--      activity" and product asked for orders to count as activity.
--
-- Performance notes: the function runs once per changed row; order_events has no index other
-- than its primary key on purpose (it is append-only and read by the reporting job in bulk).
-- The UPDATE of accounts is by primary key. Measured cost on the reference machine is about 40
-- microseconds per row, acceptable for the checkout path (about 30 writes per second at peak).
--
-- Changing this function: keep it idempotent for the same (old, new) pair, keep the error
-- messages stable (support tooling matches on them), and add a migration rather than editing
-- this one: migrations are forward-only.
-- ---------------------------------------------------------------------------------------------
DECLARE
    previous app.order_status;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        previous := OLD.status;
    ELSE
        previous := NULL;
    END IF;

    IF previous = 'shipped' AND NEW.status IN ('pending', 'paid') THEN
        RAISE EXCEPTION 'order % is shipped and cannot move back to %', NEW.id, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;

    IF previous = 'cancelled' AND NEW.status <> 'cancelled' THEN
        RAISE EXCEPTION 'order % is cancelled; cancelled orders are final', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;

    IF previous IS DISTINCT FROM NEW.status THEN
        INSERT INTO app.order_events (order_id, old_status, new_status)
        VALUES (NEW.id, previous, NEW.status);

        UPDATE app.accounts SET updated_at = now() WHERE id = NEW.account_id;
    END IF;

    RETURN NEW;
END;
$body$;

COMMENT ON FUNCTION app.record_order_status_change() IS 'Keeps app.order_events and accounts.updated_at in step with order status; refuses rewinds.';

CREATE TRIGGER orders_status_change
    AFTER INSERT OR UPDATE OF status ON app.orders
    FOR EACH ROW EXECUTE FUNCTION app.record_order_status_change();
