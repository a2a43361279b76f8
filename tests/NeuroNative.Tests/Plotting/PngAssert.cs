using SkiaSharp;
using Xunit;

namespace NeuroNative.Tests.Plotting;

/// <summary>Checks on a PNG file: the signature, the size, and that something was drawn on it.</summary>
internal static class PngAssert
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Asserts a PNG of the given size with at least <paramref name="minColours"/> distinct colours
    /// and at least <paramref name="minInk"/> of its pixels not the white background; returns the bitmap.</summary>
    public static SKBitmap Picture(string path, int width, int height, int minColours = 30, double minInk = 0.05)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.AsSpan().StartsWith(Signature), $"{path} does not start with the PNG signature");
        var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        var colours = new HashSet<uint>();
        long ink = 0;
        foreach (var pixel in bitmap.Pixels)
        {
            colours.Add((uint)pixel);
            if (pixel.Red < 245 || pixel.Green < 245 || pixel.Blue < 245) ink++;
        }
        Assert.True(colours.Count >= minColours, $"{path}: {colours.Count} distinct colours, expected {minColours} or more (blank?)");
        Assert.True(ink >= minInk * bitmap.Pixels.Length, $"{path}: {ink} of {bitmap.Pixels.Length} pixels drawn, expected {minInk:P0} or more");
        return bitmap;
    }

    /// <summary>The number of pixels within <paramref name="tolerance"/> of a colour, per channel.</summary>
    public static int Count(SKBitmap bitmap, SKColor colour, int tolerance = 40) =>
        bitmap.Pixels.Count(p => Math.Abs(p.Red - colour.Red) <= tolerance && Math.Abs(p.Green - colour.Green) <= tolerance
                                 && Math.Abs(p.Blue - colour.Blue) <= tolerance);
}
