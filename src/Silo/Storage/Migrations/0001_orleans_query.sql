-- The Orleans ADO.NET providers read every statement they run from this table, by key
-- ("SELECT QueryKey, QueryText FROM OrleansQuery"). The name is unquoted in their lookup, so it folds to
-- lower case: the table is public.orleansquery. Later migrations upsert their rows here, so a query can be
-- redefined by a new migration without touching the providers.
CREATE TABLE OrleansQuery
(
    QueryKey  text NOT NULL PRIMARY KEY,
    QueryText text NOT NULL
);
