-- A dealer's state is several KB (its latest order references and sell-out receipts), and every write of it replaced
-- a TOASTed value: compressed with pglz, cut into 2 KB chunks in the TOAST table, its old chunks deleted, each chunk
-- logged to the WAL with the TOAST index. lz4 compresses several times faster, and STORAGE MAIN keeps a compressed
-- value inline in its row while the row fits in a page, so a write is one heap tuple. Existing values stay as they are
-- until they are written again.
ALTER TABLE channel_grain_state ALTER COLUMN payload SET COMPRESSION lz4;
ALTER TABLE channel_grain_state ALTER COLUMN payload SET STORAGE MAIN;
