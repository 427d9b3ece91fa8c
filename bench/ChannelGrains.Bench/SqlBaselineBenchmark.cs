using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace ChannelGrains.Bench;

/// <summary>
/// The SQL baseline a team would otherwise build, on the same PostgreSQL: placeOrder and sell-out as plain SQL
/// transactions (conditional stock and credit updates, inserts, summary rows per region and one national row),
/// driven by 8 and 32 clients; and the national dashboard as GROUP BY queries over the lines of one month at two
/// volumes, next to the read of the live national summary row. Freshness in SQL is the next query: the dashboard's
/// latency. Uses <c>--connection</c> / <c>ConnectionStrings__Channel</c> (in a schema of its own, dropped after),
/// else starts a throwaway PostgreSQL.
/// </summary>
public static class SqlBaselineBenchmark
{
    private const string Bench = "sql";

    public static async Task MeasureAsync(BenchOptions options, BenchResults results)
    {
        var table = new BenchReport(results, Bench);

        var (connectionString, server) = await ThrowawayPostgres.ResolveAsync(options);
        await using var _ = server;
        var schema = $"sql_baseline_{Environment.ProcessId}";
        await using (var admin = NpgsqlDataSource.Create(connectionString))
            await admin.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}").ExecuteNonQueryAsync();
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema, MaxPoolSize = 100, CommandTimeout = 600 };
        await using var data = NpgsqlDataSource.Create(builder.ConnectionString);
        Console.WriteLine($"SQL baseline on PostgreSQL {(server is null ? "given by the connection string" : "started for this run (shared_buffers 1GB, work_mem 64MB, synchronous_commit on)")}, schema {schema}");
        try
        {
            var dealers = options.Int("dealers", 1000);
            var skus = options.Int("skus", 500);
            await ExecuteAsync(data, SqlBaselineSchema.Tables + SqlBaselineSchema.Indexes + SqlBaselineSchema.MasterData(dealers, skus) + "ANALYZE;");
            await MeasureMutationsAsync(options, data, dealers, skus, table.Add);
            await MeasureDashboardsAsync(options, data, dealers, skus, table.Add);
        }
        finally
        {
            if (server is null)
            {
                await using var admin = NpgsqlDataSource.Create(connectionString);
                await admin.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE").ExecuteNonQueryAsync();
            }
        }
        table.Print();
    }

    private static async Task MeasureMutationsAsync(BenchOptions options, NpgsqlDataSource data, int dealers, int skus, Action<string, double, string> report)
    {
        var seconds = options.Int("seconds", options.Quick ? 2 : 15);
        var maxLines = options.Int("lines", 3);
        var workload = new Workload(dealers, skus, maxLines);
        Console.WriteLine($"mutations: {dealers} dealers, {skus} SKUs, 1–{maxLines} lines, {seconds} s per run after a 1 s warm-up");
        foreach (var clients in new[] { options.Int("clients", 8), options.Int("clients-high", 32) })
        {
            foreach (var (name, national, operation) in new (string, bool, Func<NpgsqlConnection, Random, bool, Task<bool>>)[]
            {
                ("placeOrder + live national row", true, workload.PlaceOrderAsync),
                ("placeOrder, region rows only", false, workload.PlaceOrderAsync),
                ("sellOut + live national row", true, workload.SellOutAsync),
            })
            {
                await DriveAsync(data, clients, TimeSpan.FromSeconds(1), national, operation, new Samples());
                var samples = new Samples();
                var (ok, refused, elapsed) = await DriveAsync(data, clients, TimeSpan.FromSeconds(seconds), national, operation, samples);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name}, {clients} clients: {ok / elapsed:N0} tps ({ok:N0} committed, {refused:N0} rolled back); {samples.Summary()}"));
                var key = $"{name} ({clients} clients)";
                report($"{key} tps", ok / elapsed, "tx/s");
                report($"{key} p50", samples.Percentile(0.50), "ms");
                report($"{key} p95", samples.Percentile(0.95), "ms");
                report($"{key} p99", samples.Percentile(0.99), "ms");
            }
        }
    }

    private static async Task<(long Ok, long Refused, double Seconds)> DriveAsync(NpgsqlDataSource data, int clients, TimeSpan duration, bool national,
        Func<NpgsqlConnection, Random, bool, Task<bool>> operation, Samples samples)
    {
        long ok = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var random = new Random(client * 7919 + Environment.TickCount);
            await using var connection = await data.OpenConnectionAsync();
            while (clock.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                var committed = await operation(connection, random, national);
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Interlocked.Increment(ref committed ? ref ok : ref refused);
            }
        }));
        return (ok, refused, clock.Elapsed.TotalSeconds);
    }

    private static async Task MeasureDashboardsAsync(BenchOptions options, NpgsqlDataSource data, int dealers, int skus, Action<string, double, string> report)
    {
        var runs = options.Int("runs", 20);
        var months = options.Int("months", 12);
        var now = DateTime.UtcNow;
        var month = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var loaded = 0L;
        foreach (var lines in new[] { options.Int("small-lines", options.Quick ? 100_000 : 1_000_000), options.Int("large-lines", options.Quick ? 300_000 : 10_000_000) })
        {
            var label = lines >= 1_000_000 ? $"{lines / 1_000_000.0:0.#} M lines" : $"{lines / 1_000.0:0.#} k lines";
            var clock = Stopwatch.StartNew();
            if (loaded == 0) await ExecuteAsync(data, "TRUNCATE orders, order_lines, sellout_lines, region_summary, national_summary");
            await ExecuteAsync(data, SqlBaselineSchema.DropIndexes);
            await ExecuteAsync(data, SqlBaselineSchema.BulkLines(loaded / 3, lines / 3, months, month, dealers, skus));
            await ExecuteAsync(data, SqlBaselineSchema.Indexes);
            await ExecuteAsync(data, "ANALYZE orders; ANALYZE order_lines; ANALYZE sellout_lines");
            await ExecuteAsync(data, NationalSummaryFromLines);
            loaded = lines / 3 * 3;
            var counts = await CountsAsync(data, month);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"dashboards at {label}: generated to {counts.All:N0} order lines ({counts.Month:N0} in the month read; {counts.SellOut:N0} sell-out lines) over {months} months in {clock.Elapsed.TotalSeconds:F1} s (insert, indexes, ANALYZE)"));
            report($"generate {label}", clock.Elapsed.TotalSeconds, "s");

            var total = new Samples();
            var perQuery = SqlBaselineSchema.Dashboard.Select(_ => new Samples()).ToArray();
            for (var run = -1; run < runs; run++) // run -1 warms the cache and the plans
            {
                var sum = 0.0;
                for (var q = 0; q < perQuery.Length; q++)
                {
                    var ms = await TimeQueryAsync(data, SqlBaselineSchema.Dashboard[q].Sql, month, month.AddMonths(1));
                    sum += ms;
                    if (run >= 0) perQuery[q].Add(ms);
                }
                if (run >= 0) total.Add(sum);
            }
            for (var q = 0; q < perQuery.Length; q++)
            {
                Console.WriteLine($"  {SqlBaselineSchema.Dashboard[q].Name}: {perQuery[q].Summary()} over {runs} runs");
                report($"dashboard {SqlBaselineSchema.Dashboard[q].Name} @ {label} p50", perQuery[q].Percentile(0.50), "ms");
                report($"dashboard {SqlBaselineSchema.Dashboard[q].Name} @ {label} p99", perQuery[q].Percentile(0.99), "ms");
            }
            Console.WriteLine($"  national dashboard (all three) = freshness (next query): {total.Summary()}");
            report($"dashboard total @ {label} p50", total.Percentile(0.50), "ms");
            report($"dashboard total @ {label} p99", total.Percentile(0.99), "ms");
            report($"freshness (next query) @ {label} p99", total.Percentile(0.99), "ms");

            var row = new Samples();
            for (var run = -100; run < runs * 50; run++)
            {
                var ms = await TimeQueryAsync(data, SqlBaselineSchema.NationalSummaryRow, month, null);
                if (run >= 0) row.Add(ms);
            }
            Console.WriteLine($"  live national summary row read: {row.Summary()} over {runs * 50} reads");
            report($"national summary row @ {label} p50", row.Percentile(0.50), "ms");
            report($"national summary row @ {label} p99", row.Percentile(0.99), "ms");
        }
    }

    /// <summary>The live row as placeOrder and sell-out keep it: after a bulk load it is set once from the lines.</summary>
    private const string NationalSummaryFromLines = """
        INSERT INTO national_summary (month, order_count, order_value, sell_out_value)
        SELECT date_trunc('month', placed_at AT TIME ZONE 'UTC')::date, count(DISTINCT order_id), sum(amount), 0 FROM order_lines GROUP BY 1
        ON CONFLICT (month) DO UPDATE SET order_count = EXCLUDED.order_count, order_value = EXCLUDED.order_value;
        UPDATE national_summary n SET sell_out_value = s.value
        FROM (SELECT date_trunc('month', sold_at AT TIME ZONE 'UTC')::date AS month, sum(amount) AS value FROM sellout_lines GROUP BY 1) s
        WHERE n.month = s.month;
        """;

    private static async Task<double> TimeQueryAsync(NpgsqlDataSource data, string sql, DateTime from, DateTime? to)
    {
        await using var command = data.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = to is null ? DateOnly.FromDateTime(from) : from });
        if (to is not null) command.Parameters.Add(new NpgsqlParameter { Value = to.Value });
        var start = Stopwatch.GetTimestamp();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) { }
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static async Task<(long All, long Month, long SellOut)> CountsAsync(NpgsqlDataSource data, DateTime month)
    {
        await using var command = data.CreateCommand("""
            SELECT (SELECT count(*) FROM order_lines), (SELECT count(*) FROM order_lines WHERE placed_at >= $1 AND placed_at < $2),
                   (SELECT count(*) FROM sellout_lines)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = month });
        command.Parameters.Add(new NpgsqlParameter { Value = month.AddMonths(1) });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static async Task ExecuteAsync(NpgsqlDataSource data, string sql)
    {
        await using var command = data.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The two transactions, one round trip each (an NpgsqlBatch) plus the commit.</summary>
    private sealed class Workload(int dealers, int skus, int maxLines)
    {
        private long next;

        public async Task<bool> PlaceOrderAsync(NpgsqlConnection connection, Random random, bool national)
        {
            var dealer = random.Next(dealers);
            var lines = PickLines(random);
            var amount = lines.Sum(l => l.Quantity * 10m);
            var month = CurrentMonth();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var (sku, quantity) in lines)
                Add(batch, "UPDATE products SET on_hand = on_hand - $2 WHERE sku = $1 AND on_hand >= $2", sku, (long)quantity);
            Add(batch, "UPDATE dealers SET credit_used = credit_used + $2 WHERE id = $1 AND credit_used + $2 <= credit_limit", SqlBaselineSchema.DealerId(dealer), amount);
            var orderId = $"O{Interlocked.Increment(ref next)}-{Environment.ProcessId}-{random.Next():x}";
            var region = SqlBaselineSchema.DealerRegion(dealer);
            Add(batch, "INSERT INTO orders (id, dealer_id, region, placed_at, amount) VALUES ($1, $2, $3, now(), $4)",
                orderId, SqlBaselineSchema.DealerId(dealer), region, amount);
            Add(batch, """
                INSERT INTO order_lines (order_id, line_no, dealer_id, region, sku, quantity, amount, placed_at)
                SELECT $1, n::int, $2, $3, sku, quantity, quantity * 10, now() FROM unnest($4::text[], $5::int[]) WITH ORDINALITY AS line(sku, quantity, n)
                """, orderId, SqlBaselineSchema.DealerId(dealer), region, lines.Select(l => l.Sku).ToArray(), lines.Select(l => l.Quantity).ToArray());
            AddSummaries(batch, region, month, national, "order_count, order_value", "1, {1}::numeric", "order_count = {0}.order_count + 1, order_value = {0}.order_value + {1}", amount);
            return await CommitIfAllAppliedAsync(batch, transaction, lines.Length + 1);
        }

        public async Task<bool> SellOutAsync(NpgsqlConnection connection, Random random, bool national)
        {
            var dealer = random.Next(dealers);
            var lines = PickLines(random);
            var amount = lines.Sum(l => l.Quantity * 15m);
            var units = lines.Sum(l => (long)l.Quantity);
            var month = CurrentMonth();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var batch = new NpgsqlBatch(connection, transaction);
            var region = SqlBaselineSchema.DealerRegion(dealer);
            Add(batch, """
                INSERT INTO sellout_lines (request_id, line_no, dealer_id, region, sku, quantity, amount, sold_at)
                SELECT $1, n::int, $2, $3, sku, quantity, quantity * 15, now() FROM unnest($4::text[], $5::int[]) WITH ORDINALITY AS line(sku, quantity, n)
                """, $"S{Interlocked.Increment(ref next)}-{Environment.ProcessId}-{random.Next():x}", SqlBaselineSchema.DealerId(dealer), region,
                lines.Select(l => l.Sku).ToArray(), lines.Select(l => l.Quantity).ToArray());
            foreach (var (sku, quantity) in lines)
                Add(batch, "UPDATE dealer_stock SET on_hand = greatest(on_hand - $3, 0) WHERE dealer_id = $1 AND sku = $2", SqlBaselineSchema.DealerId(dealer), sku, (long)quantity);
            AddSummaries(batch, region, month, national, "sell_out_value, stock_units", "{1}::numeric, -{2}::bigint",
                "sell_out_value = {0}.sell_out_value + {1}, stock_units = {0}.stock_units - {2}", amount, units);
            return await CommitIfAllAppliedAsync(batch, transaction, 0);
        }

        /// <summary>1–maxLines distinct SKUs in key order (every transaction locks rows in the same order: no deadlocks).</summary>
        private (string Sku, int Quantity)[] PickLines(Random random)
        {
            var count = random.Next(1, maxLines + 1);
            var picked = new SortedSet<int>();
            while (picked.Count < count) picked.Add(random.Next(skus));
            return picked.Select(i => (SqlBaselineSchema.Sku(i), random.Next(1, 10))).ToArray();
        }

        /// <summary>
        /// The dealer's region and city rows (in key order), then, when <paramref name="national"/>, the national row of the
        /// month. <paramref name="values"/> and <paramref name="update"/> name the table as {0} and the figures as {1}, {2}.
        /// </summary>
        private static void AddSummaries(NpgsqlBatch batch, string region, DateOnly month, bool national, string columns, string values, string update, params object[] figures)
        {
            var parent = region[..region.LastIndexOf('/')];
            string Format(string template, string table, int first) =>
                string.Format(CultureInfo.InvariantCulture, template, table, $"${first}", $"${first + 1}");
            Add(batch, $"""
                INSERT INTO region_summary (region, month, {columns}) VALUES ($1, $3, {Format(values, "", 4)}), ($2, $3, {Format(values, "", 4)})
                ON CONFLICT (region, month) DO UPDATE SET {Format(update, "region_summary", 4)}
                """, [parent, region, month, .. figures]);
            if (national)
                Add(batch, $"""
                    INSERT INTO national_summary (month, {columns}) VALUES ($1, {Format(values, "", 2)})
                    ON CONFLICT (month) DO UPDATE SET {Format(update, "national_summary", 2)}
                    """, [month, .. figures]);
        }

        private static async Task<bool> CommitIfAllAppliedAsync(NpgsqlBatch batch, NpgsqlTransaction transaction, int conditional)
        {
            await batch.ExecuteNonQueryAsync();
            var applied = true;
            for (var i = 0; i < conditional; i++) applied &= batch.BatchCommands[i].RecordsAffected == 1;
            if (!applied)
            {
                await transaction.RollbackAsync();
                return false;
            }
            await transaction.CommitAsync();
            return true;
        }

        private static DateOnly CurrentMonth()
        {
            var now = DateTime.UtcNow;
            return new DateOnly(now.Year, now.Month, 1);
        }

        private static void Add(NpgsqlBatch batch, string sql, params object[] values)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
            batch.BatchCommands.Add(command);
        }
    }
}
