using System.Globalization;
using NeuroNative.Tests.Reference;
using Xunit;

namespace NeuroNative.Tests.Experiments;

/// <summary>lo/hi written as number*unit are gridded on the numbers, sign included, as numpy does
/// (tests/data/reference/sweep_grids: np.linspace / np.geomspace of the numbers times the unit).</summary>
public class SweepGridTests
{
    private static readonly ReferenceCase Case = ReferenceCase.Load("sweep_grids");

    public static TheoryData<int> Grids()
    {
        using var info = Case.RunInfo();
        return new(Enumerable.Range(0, info.RootElement.GetProperty("grids").GetArrayLength()));
    }

    [Theory, MemberData(nameof(Grids))]
    public void ValuesEqualNumpys(int grid)
    {
        using var info = Case.RunInfo();
        var g = info.RootElement.GetProperty("grids")[grid];
        string Number(string key) => g.GetProperty(key).GetDouble().ToString("R", CultureInfo.InvariantCulture);
        string unit = g.GetProperty("unit").GetString()!;
        string yaml = $"""
            model:
              equations: |
                dv/dt = -v/(10*ms) : 1
                x : {(unit == "mV" ? "volt" : unit.EndsWith("A", StringComparison.Ordinal) ? "amp" : "siemens/meter**2")}
            duration: 1*ms
            sweep:
              parameters:
                x: {"{"}lo: {Number("lo")}*{unit}, hi: {Number("hi")}*{unit}, n: {g.GetProperty("n").GetInt32()}, scale: {g.GetProperty("scale").GetString()}{"}"}

            """;
        var values = ExperimentReaderTests.Read(yaml).Sweep!.Parameters.Single().Values;
        var table = Case.ReadCsv("grids.csv");
        var expected = table.Rows.Where(r => r[0] == grid).Select(r => r[2]).ToArray();
        Assert.Equal(expected.Length, values.Length);
        // numpy's power on AVX-512 machines (SVML) can differ from the C library's pow in the last bit, so
        // geometric grids agree to 2 ulp; linear grids bit for bit.
        double ulps = g.GetProperty("scale").GetString() == "log" ? 2 : 0;
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - values[k]) <= ulps * Math.BitIncrement(Math.Abs(expected[k])) - ulps * Math.Abs(expected[k]),
                $"grid {grid} value {k}: {values[k]:R} vs numpy {expected[k]:R}");
    }
}
