CREATE TABLE golden_dollar (v TEXT);
COMMENT ON TABLE golden_dollar IS $$a;b$$;
COMMENT ON COLUMN golden_dollar.v IS $tag$it's $$ nested; -- not a comment $tag$;
INSERT INTO golden_dollar (v) VALUES ($x$;$x$), ($_1$/* no comment */$_1$);
