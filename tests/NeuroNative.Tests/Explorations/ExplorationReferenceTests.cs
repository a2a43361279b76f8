using NeuroNative.Explorations;
using NeuroNative.Tests.Cli;
using NeuroNative.Tests.Reference;
using Xunit;

namespace NeuroNative.Tests.Explorations;

/// <summary>
/// The neural-mass reference cases of Brian 2 (tests/data/reference) reproduced through <c>neuronative run</c>
/// with the exploration form (tests/data/explorations): the same method, step and conditions, every sample within
/// 1e-6 of the reference column's range.
/// </summary>
public class ExplorationReferenceTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "vanderpol_rk4", "mu_sweep", "x=x,z=z" },
        { "vanderpol_euler", "mu_sweep", "x=x,z=z" },
        { "fitzhugh_nagumo", "amp_landscape", "v=v,w=w" },
        { "qif_meanfield_rk4", "eta_sweep", "r=r,v=v" },
        { "qif_meanfield_euler", "eta_sweep", "r=r,v=v" },
        { "jansen_rit", "C_sweep", "psp=psp" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReproducesBrian(string @case, string exploration, string outputs)
    {
        using var cli = new CliHarness();
        string file = Path.Combine(AppContext.BaseDirectory, "data", "explorations", $"{@case}.yaml");
        var (code, _, err) = CliHarness.Invoke("run", file, "--out", cli.Path("out"));
        Assert.True(code == 0, err);
        var result = ExplorationFiles.Load(cli.Path(Path.Combine("out", exploration)));
        var reference = ReferenceCase.Load(@case).ReadCsv("traces.csv");
        var times = reference.Column("time");
        Assert.Equal(times.Length - 1, result.Samples); // the reference's last row is the final state
        for (int k = 0; k < result.Samples; k++) Assert.Equal(times[k], result.Time[k], 1e-9);
        double worst = 0;
        foreach (var pair in outputs.Split(','))
        {
            var (ours, theirs) = (pair.Split('=')[0], pair.Split('=')[1]);
            for (int c = 0; c < result.Conditions; c++)
            {
                var expected = reference.Column($"{theirs}[{c}]");
                double range = expected.Max() - expected.Min();
                double scale = range > 0 ? range : Math.Max(expected.Max(x => Math.Abs(x)), 1e-300);
                var actual = result.TimeSeries(c, ours);
                for (int k = 0; k < result.Samples; k++) worst = Math.Max(worst, Math.Abs(actual[k] - expected[k]) / scale);
            }
        }
        Assert.True(worst <= 1e-6, $"{@case}: largest deviation {worst:G3} of the range");
    }
}
