using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using ChannelGrains.Ordering;
using ChannelGrains.Partners;

namespace ChannelGrains.Bench;

/// <summary>
/// The mix over GraphQL over HTTP (POST, JSON), with the documents of contract/schema.graphql. One HttpClient with a
/// connection per worker; query texts are encoded once and bodies are written straight to UTF-8 (the dashboard bodies
/// are fully pre-serialized); a response counts as refused when it carries <c>errors</c>, by its first
/// <c>extensions.code</c>.
/// </summary>
public sealed class GraphQLHttpExecutor : IMixExecutor, IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly byte[] ErrorsProperty = "\"errors\""u8.ToArray();
    private static readonly JsonEncodedText PlaceOrderQuery = JsonEncodedText.Encode("mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }");
    private static readonly JsonEncodedText ShipOrderQuery = JsonEncodedText.Encode("mutation($id: ID!) { shipOrder(id: $id) { id status } }");
    private static readonly JsonEncodedText ReceiveOrderQuery = JsonEncodedText.Encode("mutation($id: ID!) { receiveOrder(id: $id) { id status } }");
    private static readonly JsonEncodedText SellOutQuery = JsonEncodedText.Encode("mutation($input: SellOutInput!) { reportSellOut(input: $input) { id } }");
    private static readonly JsonEncodedText UpsertDealerQuery = JsonEncodedText.Encode("mutation($input: DealerInput!) { upsertDealer(input: $input) { id } }");
    private static readonly JsonEncodedText SetQuotaQuery = JsonEncodedText.Encode("mutation($input: QuotaInput!) { setQuota(input: $input) { target } }");
    private const string SummaryQuery = "query($region: String!, $period: String!) { channelSummary(region: $region, period: $period) { orderCount orderValue sellOutValue channelStockUnits quotaTarget quotaAchieved updatedAt } }";
    private const string TopDealersQuery = "query($region: String!, $period: String!, $first: Int) { channelBreakdown(region: $region, period: $period) { topDealers(first: $first) { dealerId region sellOutValue } } }";

    private readonly HttpClient http;
    private readonly Dictionary<(string Query, string Region, string Month, int First), byte[]> readBodies = [];

    public GraphQLHttpExecutor(Uri baseAddress, string token, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        http = new HttpClient(handler) { BaseAddress = new Uri(baseAddress, "graphql"), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task SeedAsync(MixData data)
    {
        foreach (var batch in data.Products.Chunk(500))
            await PostAsync("mutation($inputs: [ProductInput!]!) { upsertProducts(inputs: $inputs) { sku } }",
                new { inputs = batch.Select(p => new { sku = p.Sku, name = p.Name, listPrice = p.ListPrice, floorPrice = p.FloorPrice }) });
        await Parallel.ForEachAsync(data.Products, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (product, _) =>
            await PostAsync("mutation($sku: ID!) { adjustStock(sku: $sku, delta: 1000000000, reason: \"bench stock\") { sku } }", new { sku = product.Sku }));
        foreach (var batch in data.Dealers.Chunk(500))
            await PostAsync("mutation($inputs: [DealerInput!]!) { upsertDealers(inputs: $inputs) { id } }", new { inputs = batch.Select(DealerInput) });
        foreach (var batch in data.Stores.Chunk(1000))
            await PostAsync("mutation($inputs: [StoreInput!]!) { upsertStores(inputs: $inputs) { id } }",
                new { inputs = batch.Select(s => new { id = s.Id, name = s.Name, dealerId = s.DealerId, region = s.Region, latitude = s.Latitude, longitude = s.Longitude }) });
    }

    public Task PlaceOrderAsync(PlaceOrder order) => SendAsync(PlaceOrderQuery, "input", writer =>
    {
        writer.WriteString("requestId", order.RequestId);
        writer.WriteString("dealerId", order.DealerId);
        WriteObjects(writer, "lines", order.Lines, (w, line) =>
        {
            w.WriteString("sku", line.Sku);
            w.WriteNumber("quantity", line.Quantity);
        });
    });

    public Task ShipOrderAsync(string orderId) => SendAsync(ShipOrderQuery, null, writer => writer.WriteString("id", orderId));

    public Task ReceiveOrderAsync(string orderId) => SendAsync(ReceiveOrderQuery, null, writer => writer.WriteString("id", orderId));

    public Task ReportSellOutAsync(SellOutReport report) => SendAsync(SellOutQuery, "input", writer =>
    {
        writer.WriteString("requestId", report.RequestId);
        writer.WriteString("dealerId", report.DealerId);
        writer.WriteString("date", report.Date);
        WriteObjects(writer, "lines", report.Lines, (w, line) =>
        {
            w.WriteString("sku", line.Sku);
            w.WriteNumber("quantity", line.Quantity);
            w.WriteNumber("amount", line.Amount);
            w.WriteString("storeId", line.StoreId);
        });
    });

    public Task UpsertDealerAsync(DealerInfo dealer) => SendAsync(UpsertDealerQuery, "input", writer =>
    {
        writer.WriteString("id", dealer.Id);
        writer.WriteString("name", dealer.Name);
        writer.WriteString("region", dealer.Region);
        writer.WriteString("tier", Enum(dealer.Tier));
        writer.WriteString("status", Enum(dealer.Status));
        writer.WriteNumber("creditLimit", dealer.CreditLimit);
        writer.WriteStartArray("authorizedSkus");
        foreach (var sku in dealer.AuthorizedSkus ?? []) writer.WriteStringValue(sku);
        writer.WriteEndArray();
    });

    public Task SetQuotaAsync(string dealerId, string month, decimal target) => SendAsync(SetQuotaQuery, "input", writer =>
    {
        writer.WriteString("ownerId", dealerId);
        writer.WriteString("period", month);
        writer.WriteNumber("target", target);
    });

    public Task ChannelSummaryAsync(string region, string month) => PostBytesAsync(ReadBody(SummaryQuery, region, month, 0));

    public Task TopDealersAsync(string region, string month, int first) => PostBytesAsync(ReadBody(TopDealersQuery, region, month, first));

    public void Dispose() => http.Dispose();

    private byte[] ReadBody(string query, string region, string month, int first)
    {
        lock (readBodies)
        {
            if (!readBodies.TryGetValue((query, region, month, first), out var body))
                readBodies[(query, region, month, first)] = body = JsonSerializer.SerializeToUtf8Bytes(
                    new { query, variables = first > 0 ? (object)new { region, period = month, first } : new { region, period = month } });
            return body;
        }
    }

    /// <summary>Writes <c>{"query": ..., "variables": {...}}</c>, the variables inside <paramref name="wrapper"/> when given.</summary>
    private Task SendAsync(JsonEncodedText query, string? wrapper, Action<Utf8JsonWriter> writeVariables)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("query", query);
            writer.WriteStartObject("variables");
            if (wrapper is not null) writer.WriteStartObject(wrapper);
            writeVariables(writer);
            if (wrapper is not null) writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return PostBytesAsync(buffer.WrittenMemory);
    }

    private Task PostAsync(string query, object variables) => PostBytesAsync(JsonSerializer.SerializeToUtf8Bytes(new { query, variables }));

    private async Task PostBytesAsync(ReadOnlyMemory<byte> body)
    {
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = Json;
        using var response = await http.PostAsync((Uri?)null, content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (response.IsSuccessStatusCode && bytes.AsSpan().IndexOf(ErrorsProperty) < 0) return;
        throw Failure((int)response.StatusCode, bytes);
    }

    private static MixFailure Failure(int status, byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                var code = first.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("code", out var c) ? c.GetString() : null;
                return new MixFailure(code ?? $"HTTP_{status}", first.GetProperty("message").GetString() ?? "");
            }
        }
        catch (JsonException)
        {
        }
        return new MixFailure($"HTTP_{status}", System.Text.Encoding.UTF8.GetString(body));
    }

    private static void WriteObjects<T>(Utf8JsonWriter writer, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        writer.WriteStartArray(name);
        foreach (var item in items)
        {
            writer.WriteStartObject();
            write(writer, item);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static object DealerInput(DealerInfo d) => new
    {
        id = d.Id, name = d.Name, region = d.Region, tier = Enum(d.Tier), status = Enum(d.Status), creditLimit = d.CreditLimit, authorizedSkus = d.AuthorizedSkus,
    };

    private static string Enum<T>(T value) where T : struct, System.Enum => value.ToString().ToUpperInvariant();
}
