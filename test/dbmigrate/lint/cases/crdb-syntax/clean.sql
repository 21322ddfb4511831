-- Both grammars accept it.
COMMENT ON COLUMN posts.body IS 'the post text, Markdown';
