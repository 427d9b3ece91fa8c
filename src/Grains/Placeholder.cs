namespace ChannelGrains; public static class Placeholder {}
