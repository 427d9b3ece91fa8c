using Microsoft.Extensions.Logging;

namespace ChannelGrains.Partners;

public sealed class DealerGrain(
    [PersistentState("dealer", StorageNames.Channel)] IPersistentState<DealerState> state,
    ILogger<DealerGrain> logger) : Grain, IDealerGrain
{
    public Task<DealerView?> GetAsync() => Task.FromResult(View());

    public async Task<DealerView> UpsertAsync(DealerInfo info)
    {
        var id = Keys.Split(this.GetPrimaryKeyString()).Id;
        var validated = DealerRules.Validated(info);
        if (validated.Id != id) throw ChannelException.Validation("id does not match the dealer addressed.");
        if (state.State.Info is { } current && !DealerRules.CanMove(current.Status, validated.Status))
            throw new ChannelException(ErrorCodes.InvalidTransition, $"Dealer {id} cannot move from {current.Status} to {validated.Status}.");

        if (state.State.Info is null || !SameInfo(state.State.Info, validated))
        {
            state.State.Info = validated;
            state.State.Version++;
            await state.PersistAsync(DeactivateOnIdle);
        }
        var view = View()!;
        await this.PublishChangeAsync(StreamNames.Dealer, this.GetPrimaryKeyString(), view, logger);
        return view;
    }

    private static bool SameInfo(DealerInfo a, DealerInfo b) =>
        a with { AuthorizedSkus = null } == b with { AuthorizedSkus = null }
        && (a.AuthorizedSkus ?? []).SequenceEqual(b.AuthorizedSkus ?? []);

    private DealerView? View() => state.State.Info is { } info
        ? new DealerView(info.Id, info.Name, info.Region, info.Tier, info.Status, info.CreditLimit, state.State.CreditUsed,
            info.AuthorizedSkus ?? [], state.State.Inventory.Values.OrderBy(s => s.Sku, StringComparer.Ordinal).ToArray(), state.State.Version)
        : null;
}
