global using ChannelGrains.Common;
global using Orleans;
global using Orleans.Runtime;
