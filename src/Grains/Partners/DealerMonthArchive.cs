namespace ChannelGrains.Partners;

/// <summary>A closed month of a dealer as its archive keeps it: the month's figures and its quota target.</summary>
[GenerateSerializer, Alias("ChannelGrains.ArchivedMonth")]
public sealed record class ArchivedMonth([property: Id(0)] DealerMonth Figures, [property: Id(1)] decimal QuotaTarget);

/// <summary>
/// A dealer's closed months out of its state. The dealer holds its current month and the
/// <see cref="Ordering.OrderingOptions.ClosedMonthsHeld"/> before it; an older month that did not change lately (it is
/// no longer due in <see cref="DealerHeal"/>) moves into the dealer's month archive at its next write. Before, every
/// month stayed in the state, so every write of the dealer (each order, shipment, receipt, sell-out and quota) stored
/// its whole history again: 36 KB after two years of 20 SKUs, against about 6 KB for four months.
/// </summary>
/// <remarks>
/// <para>The dealer's state alone says where a month is: in <see cref="DealerState.Months"/>, or named in
/// <see cref="DealerState.ArchivedMonths"/> and then held by the archive. The archive is written first and the dealer
/// after, in its own write, so a dealer that dies in between still holds the month, and the archive's copy is not read.
/// A change to an archived month (a late sell-out, an old order cancelled, a quota) brings it back into the state
/// first, from the archive, and the dealer's write that follows records it there; an import replaces it without
/// reading it. The archive may then keep a stale copy, which nothing reads until the month is archived again.</para>
/// <para>A month the dealer archives is published once more and left due in <see cref="DealerHeal"/>, whose
/// re-publishing reads it from the archive: archiving is treated as a change of the month, so the aggregates see its
/// figures again for two heal periods, as after any change. Activation publishes only the months the state holds, so
/// the state also names the months archived lately (<see cref="DealerState.RecentlyArchived"/>): an activation
/// publishes those from the archive too, and makes them due in its silo's heal, until a write finds none of them due
/// any more. A dealer that died or deactivated before its heal was done with them is thus covered as for a held month.</para>
/// </remarks>
public static class DealerMonthArchive
{
    /// <summary>The archive grain's key: the dealer's key, then <c>/months</c> (ids never contain '/').</summary>
    public static string Key(string dealerKey) => $"{dealerKey}/months";

    /// <summary>
    /// The first month the dealer holds whatever its changes: <paramref name="currentMonth"/> (YYYY-MM) minus
    /// <paramref name="closedMonthsHeld"/>. Asked at every write of every dealer, so the answer is kept until the month turns.
    /// </summary>
    public static string FirstHeld(string currentMonth, int closedMonthsHeld)
    {
        var known = firstHeld;
        if (known is not null && known.CurrentMonth == currentMonth && known.ClosedMonthsHeld == closedMonthsHeld) return known.FirstHeld;
        var current = Period.Parse(currentMonth).EnsureMonth();
        var first = Period.MonthOf(new DateTime(current.Year, current.Number, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-Math.Max(0, closedMonthsHeld))).ToString();
        firstHeld = new KnownFirstHeld(currentMonth, closedMonthsHeld, first);
        return first;
    }

    private sealed record class KnownFirstHeld(string CurrentMonth, int ClosedMonthsHeld, string FirstHeld);

    private static volatile KnownFirstHeld? firstHeld;

    public static bool IsArchived(DealerState state, string month) => state.ArchivedMonths?.Contains(month) == true;

    /// <summary>The months among these that are archived, each once (none, without allocating, for a dealer that archived nothing).</summary>
    public static string[] ArchivedAmong(DealerState state, IEnumerable<string> months)
    {
        if (state.ArchivedMonths is not { } archived) return [];
        List<string>? found = null;
        foreach (var month in months)
            if (archived.Contains(month) && found?.Contains(month) != true) (found ??= []).Add(month);
        return found is null ? [] : [.. found];
    }

    /// <summary>Whether the state holds a month before <paramref name="firstHeld"/> (no allocation: it runs at every write).</summary>
    public static bool HoldsAnyBefore(DealerState state, string firstHeld)
    {
        foreach (var month in state.Months.Keys)
            if (string.CompareOrdinal(month, firstHeld) < 0) return true;
        return false;
    }

    /// <summary>
    /// The months to archive at this write: held, before <paramref name="firstHeld"/>, not changed by this write and not
    /// due in the heal (changed lately on this silo).
    /// </summary>
    public static string[] ToArchive(DealerState state, string firstHeld, IReadOnlyCollection<string> changed, Func<string, bool> dueInHeal)
    {
        List<string>? months = null;
        foreach (var month in state.Months.Keys)
            if (string.CompareOrdinal(month, firstHeld) < 0 && !changed.Contains(month) && !dueInHeal(month)) (months ??= []).Add(month);
        if (months is null) return [];
        months.Sort(StringComparer.Ordinal);
        return [.. months];
    }

    /// <summary>What the archive is given for these months: their figures and quota targets.</summary>
    public static Dictionary<string, ArchivedMonth> Entries(DealerState state, IEnumerable<string> months) =>
        months.ToDictionary(m => m, m => new ArchivedMonth(state.Months[m], state.Quotas?.GetValueOrDefault(m) ?? 0m), StringComparer.Ordinal);

    /// <summary>The months are in the archive now: the state forgets their figures and quotas, and names them.</summary>
    public static void MarkArchived(DealerState state, IEnumerable<string> months)
    {
        foreach (var month in months)
        {
            state.Months.Remove(month);
            state.Quotas?.Remove(month);
            (state.ArchivedMonths ??= new(StringComparer.Ordinal)).Add(month);
        }
        if (state.Quotas is { Count: 0 }) state.Quotas = null;
    }

    /// <summary>
    /// At a write: the months it archived join <see cref="DealerState.RecentlyArchived"/>, and those the heal is done
    /// with (no longer due: published again twice since) leave it, each on its own, so that a dealer archiving a month
    /// at every write does not keep them all.
    /// </summary>
    public static void TrackRecent(DealerState state, IEnumerable<string>? archivedNow, Func<string, bool> dueInHeal)
    {
        state.RecentlyArchived?.RemoveWhere(m => !dueInHeal(m));
        if (archivedNow is not null) (state.RecentlyArchived ??= new(StringComparer.Ordinal)).UnionWith(archivedNow);
        if (state.RecentlyArchived is { Count: 0 }) state.RecentlyArchived = null;
    }

    /// <summary>Archived months come back into the state, as the archive gave them.</summary>
    public static void Restore(DealerState state, IReadOnlyDictionary<string, ArchivedMonth> months)
    {
        foreach (var (month, archived) in months)
        {
            state.Months[month] = archived.Figures;
            if (archived.QuotaTarget != 0m) (state.Quotas ??= new(StringComparer.Ordinal))[month] = archived.QuotaTarget;
            Unmark(state, month);
        }
    }

    /// <summary>The state holds the month again (restored, or replaced whole by an import): the archive's copy is stale.</summary>
    public static void Unmark(DealerState state, string month)
    {
        if (state.ArchivedMonths is null) return;
        state.ArchivedMonths.Remove(month);
        if (state.ArchivedMonths.Count == 0) state.ArchivedMonths = null;
    }
}

[Alias("ChannelGrains.IDealerMonthArchiveGrain")]
public interface IDealerMonthArchiveGrain : IGrainWithStringKey
{
    /// <summary>Stores these months, replacing what it held for them; storing them again changes nothing.</summary>
    [Alias("Put")] Task PutAsync(Dictionary<string, ArchivedMonth> months);

    /// <summary>The months asked for that the archive holds.</summary>
    [Alias("Get")] Task<Dictionary<string, ArchivedMonth>> GetAsync(string[] months);
}

[GenerateSerializer, Alias("ChannelGrains.DealerMonthArchiveState")]
public sealed class DealerMonthArchiveState
{
    [Id(0)] public Dictionary<string, ArchivedMonth> Months { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Written when its dealer archives months (about once a month), read when one is changed or a period's quota is asked.</summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class DealerMonthArchiveGrain(
    [PersistentState("months", StorageNames.Channel)] IPersistentState<DealerMonthArchiveState> state) : Grain, IDealerMonthArchiveGrain
{
    public async Task PutAsync(Dictionary<string, ArchivedMonth> months)
    {
        foreach (var (month, archived) in months) state.State.Months[month] = archived;
        await state.PersistAsync(this);
    }

    public Task<Dictionary<string, ArchivedMonth>> GetAsync(string[] months) =>
        Task.FromResult(months.Distinct(StringComparer.Ordinal).Where(state.State.Months.ContainsKey).ToDictionary(m => m, m => state.State.Months[m], StringComparer.Ordinal));
}
