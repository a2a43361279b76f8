using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace NeuroNative.Plotting;

/// <summary>
/// DejaVu Sans for every figure, from the font files embedded in this assembly (Fonts/, with their licence):
/// SkiaSharp's Linux assets that ScottPlot brings use no fontconfig, so a system font could not be found by
/// name, and a machine may have no fonts at all.
/// </summary>
internal static class PlotFonts
{
    public const string Family = "DejaVu Sans";

    private static readonly Lazy<bool> Registered = new(() =>
    {
        Fonts.FontResolvers.Insert(0, new EmbeddedResolver());
        Fonts.Default = Family;
        return true;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Registers the font (once) and sets it on every text of <paramref name="plot"/>.</summary>
    public static void Apply(Plot plot)
    {
        _ = Registered.Value;
        plot.Font.Set(Family);
    }

    private sealed class EmbeddedResolver : IFontResolver
    {
        private static readonly Lazy<SKTypeface> Regular = new(() => Load("DejaVuSans.ttf"));
        private static readonly Lazy<SKTypeface> Bold = new(() => Load("DejaVuSans-Bold.ttf"));

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == Family ? (bold ? Bold : Regular).Value : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            CreateTypeface(fontName, (int)weight >= (int)FontWeight.SemiBold, slant != FontSlant.Upright);

        private static SKTypeface Load(string file)
        {
            string name = "NeuroNative.Plotting.Fonts." + file;
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"the embedded font {name} is missing from NeuroNative.Plotting");
            return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException($"SkiaSharp could not read the embedded font {name}");
        }
    }
}
