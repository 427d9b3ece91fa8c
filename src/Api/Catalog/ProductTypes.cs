using ChannelGrains.Catalog;
using GraphQL.Types;

namespace ChannelGrains.Api.Catalog;

public sealed class ProductType : ObjectGraphType<ProductView>
{
    public ProductType()
    {
        Name = "Product";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Name);
        Field(x => x.ListPrice);
        Field(x => x.FloorPrice);
        Field(x => x.OnHand);
        Field(x => x.Reserved);
        Field(x => x.Available);
    }
}

public sealed class ProductInputType : InputObjectGraphType<ProductInfo>
{
    public ProductInputType()
    {
        Name = "ProductInput";
        Field(x => x.Sku, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Name);
        Field(x => x.ListPrice);
        Field(x => x.FloorPrice);
    }
}
