using System.Globalization;

namespace ChannelGrains.Bench;

/// <summary>
/// The tables a team would build for ordering and channel BI in plain SQL: stock and credit as rows updated
/// conditionally, orders and their lines, sell-out lines, summary rows per region and month and one national row per
/// month, and the indexes the dashboard queries need. Bulk data is generated in the database (generate_series).
/// </summary>
public static class SqlBaselineSchema
{
    public const string Tables = """
        CREATE TABLE products (sku text PRIMARY KEY, on_hand bigint NOT NULL, price numeric(12,2) NOT NULL);
        CREATE TABLE dealers (id text PRIMARY KEY, region text NOT NULL, credit_limit numeric(18,2) NOT NULL, credit_used numeric(18,2) NOT NULL DEFAULT 0);
        CREATE TABLE dealer_stock (dealer_id text NOT NULL, sku text NOT NULL, on_hand bigint NOT NULL, PRIMARY KEY (dealer_id, sku));
        CREATE TABLE orders (id text NOT NULL, dealer_id text NOT NULL, region text NOT NULL, placed_at timestamptz NOT NULL, amount numeric(18,2) NOT NULL);
        CREATE TABLE order_lines (order_id text NOT NULL, line_no int NOT NULL, dealer_id text NOT NULL, region text NOT NULL,
            sku text NOT NULL, quantity int NOT NULL, amount numeric(18,2) NOT NULL, placed_at timestamptz NOT NULL);
        CREATE TABLE sellout_lines (request_id text NOT NULL, line_no int NOT NULL, dealer_id text NOT NULL, region text NOT NULL,
            sku text NOT NULL, quantity int NOT NULL, amount numeric(18,2) NOT NULL, sold_at timestamptz NOT NULL);
        CREATE TABLE region_summary (region text NOT NULL, month date NOT NULL, order_count bigint NOT NULL DEFAULT 0,
            order_value numeric(18,2) NOT NULL DEFAULT 0, sell_out_value numeric(18,2) NOT NULL DEFAULT 0, stock_units bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (region, month));
        CREATE TABLE national_summary (month date PRIMARY KEY, order_count bigint NOT NULL DEFAULT 0, order_value numeric(18,2) NOT NULL DEFAULT 0,
            sell_out_value numeric(18,2) NOT NULL DEFAULT 0, stock_units bigint NOT NULL DEFAULT 0);
        """;

    /// <summary>Keys and the indexes the dashboards filter on; dropped during a bulk load and built again after it.</summary>
    public const string Indexes = """
        ALTER TABLE orders ADD PRIMARY KEY (id);
        ALTER TABLE order_lines ADD PRIMARY KEY (order_id, line_no);
        ALTER TABLE sellout_lines ADD PRIMARY KEY (request_id, line_no);
        CREATE INDEX orders_placed_at ON orders (placed_at);
        CREATE INDEX orders_dealer ON orders (dealer_id, placed_at);
        CREATE INDEX order_lines_placed_at ON order_lines (placed_at);
        CREATE INDEX sellout_lines_sold_at ON sellout_lines (sold_at);
        """;

    public const string DropIndexes = """
        ALTER TABLE orders DROP CONSTRAINT orders_pkey;
        ALTER TABLE order_lines DROP CONSTRAINT order_lines_pkey;
        ALTER TABLE sellout_lines DROP CONSTRAINT sellout_lines_pkey;
        DROP INDEX orders_placed_at, orders_dealer, order_lines_placed_at, sellout_lines_sold_at;
        """;

    /// <summary>Dealer k: id <c>D00042</c>, region <c>CN/R{k%8}/C{k%32}</c> (8 regions, 32 cities), in C# and in SQL alike.</summary>
    public static string DealerId(int k) => "D" + k.ToString("00000", CultureInfo.InvariantCulture);

    public static string DealerRegion(int k) => string.Create(CultureInfo.InvariantCulture, $"CN/R{k % 8}/C{k % 32}");

    public static string Sku(int i) => "SKU" + i.ToString("0000", CultureInfo.InvariantCulture);

    private const string DealerIdSql = "'D' || lpad(({0})::text, 5, '0')";
    private const string DealerRegionSql = "'CN/R' || (({0}) % 8) || '/C' || (({0}) % 32)";

    public static string MasterData(int dealers, int skus) => string.Create(CultureInfo.InvariantCulture, $"""
        INSERT INTO products SELECT 'SKU' || lpad(i::text, 4, '0'), 1000000000000, 10 FROM generate_series(0, {skus - 1}) i;
        INSERT INTO dealers SELECT {Dealer(DealerIdSql, "k")}, {Dealer(DealerRegionSql, "k")}, 1e15, 0 FROM generate_series(0, {dealers - 1}) k;
        INSERT INTO dealer_stock SELECT d.id, p.sku, 1000000000000 FROM dealers d CROSS JOIN products p;
        """);

    /// <summary>
    /// Orders <paramref name="fromOrder"/>..<paramref name="toOrder"/> (exclusive) with three lines each, and half as many
    /// sell-out lines, spread over <paramref name="months"/> months ending with <paramref name="currentMonth"/>.
    /// Order o belongs to dealer (o·7919) mod dealers; line g of it sells SKU (g·31) mod skus, 1–9 units at 10.
    /// </summary>
    public static string BulkLines(long fromOrder, long toOrder, int months, DateTime currentMonth, int dealers, int skus)
    {
        var month = currentMonth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var placedAt = $"(timestamptz '{month} 00:00:00+00' - make_interval(months => (o % {months})::int) + make_interval(secs => ((o * 104729) % 2419200)::float8))";
        var dealer = $"((o * 7919) % {dealers})";
        return string.Create(CultureInfo.InvariantCulture, $"""
            INSERT INTO orders
            SELECT 'G' || o, {Dealer(DealerIdSql, dealer)}, {Dealer(DealerRegionSql, dealer)}, {placedAt},
                   10 * (3 + (3 * o) % 9 + (3 * o + 1) % 9 + (3 * o + 2) % 9)
            FROM generate_series({fromOrder}::bigint, {toOrder - 1}::bigint) o;
            INSERT INTO order_lines
            SELECT 'G' || o, n, {Dealer(DealerIdSql, dealer)}, {Dealer(DealerRegionSql, dealer)},
                   'SKU' || lpad(((g * 31) % {skus})::text, 4, '0'), 1 + g % 9, 10 * (1 + g % 9), {placedAt}
            FROM generate_series({fromOrder}::bigint, {toOrder - 1}::bigint) o, generate_series(0, 2) n, LATERAL (SELECT 3 * o + n AS g) line;
            INSERT INTO sellout_lines
            SELECT 'S' || o, n, {Dealer(DealerIdSql, dealer)}, {Dealer(DealerRegionSql, dealer)},
                   'SKU' || lpad(((g * 17) % {skus})::text, 4, '0'), 1 + g % 5, 15 * (1 + g % 5), {placedAt}
            FROM generate_series({fromOrder}::bigint, {toOrder - 1}::bigint) o, generate_series(0, 2) n, LATERAL (SELECT 3 * o + n AS g) line
            WHERE o % 2 = 0;
            """);
    }

    private static string Dealer(string format, string k) => string.Format(CultureInfo.InvariantCulture, format, k);

    /// <summary>The national dashboard for one month: what the SQL design computes on every read.</summary>
    public static readonly (string Name, string Sql)[] Dashboard =
    [
        ("national SUM", """
            SELECT (SELECT count(*) FROM orders WHERE placed_at >= $1 AND placed_at < $2) AS order_count,
                   (SELECT coalesce(sum(amount), 0) FROM order_lines WHERE placed_at >= $1 AND placed_at < $2) AS order_value,
                   (SELECT coalesce(sum(amount), 0) FROM sellout_lines WHERE sold_at >= $1 AND sold_at < $2) AS sell_out_value
            """),
        ("by region GROUP BY", """
            SELECT region, sum(order_value) AS order_value, sum(sell_out_value) AS sell_out_value FROM (
                SELECT split_part(region, '/', 2) AS region, amount AS order_value, 0::numeric AS sell_out_value
                FROM order_lines WHERE placed_at >= $1 AND placed_at < $2
                UNION ALL
                SELECT split_part(region, '/', 2), 0::numeric, amount FROM sellout_lines WHERE sold_at >= $1 AND sold_at < $2) lines
            GROUP BY region ORDER BY region
            """),
        ("top 20 dealers", """
            SELECT dealer_id, sum(amount) AS order_value FROM order_lines WHERE placed_at >= $1 AND placed_at < $2
            GROUP BY dealer_id ORDER BY order_value DESC LIMIT 20
            """),
    ];

    public const string NationalSummaryRow = "SELECT order_count, order_value, sell_out_value, stock_units FROM national_summary WHERE month = $1";
}
