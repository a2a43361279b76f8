using Xunit;

namespace NeuroNative.Tests.Reference;

/// <summary>
/// Guards the reference data itself: every case loads, and the shape facts and totals stated in each
/// PROVENANCE.md hold, so a truncated or altered copy fails here instead of in a parity test.
/// </summary>
public class ReferenceDataTests
{
    private static readonly string[] AllCases =
    [
        "adex_dt0.01", "adex_dt0.1", "exact_biexp_lif", "fitzhugh_nagumo", "hh_exploration_small", "hh_exploration_small_nA",
        "hh_fitting_tutorial", "inap_ik", "jansen_rit", "lif_phases", "lif_refractory_euler", "lif_refractory_exact",
        "morris_lecar", "neuron_exp2syn", "ou_process", "qif_meanfield_euler", "qif_meanfield_rk4", "sweep_grids",
        "vanderpol_euler", "vanderpol_rk4",
    ];

    public static TheoryData<string> Cases() => new(AllCases);

    [Fact]
    public void EveryCaseIsPresent() => Assert.Equal(AllCases, ReferenceCase.Names());

    [Theory, MemberData(nameof(Cases))]
    public void EveryCaseHasProvenanceAndParsableFiles(string name)
    {
        var c = ReferenceCase.Load(name);
        Assert.True(File.Exists(c.PathOf("PROVENANCE.md")), $"{name}: PROVENANCE.md missing");
        using var info = c.RunInfo();
        var root = info.RootElement;
        if (name.StartsWith("neuron_", StringComparison.Ordinal))
            Assert.Equal("NEURON", root.GetProperty("simulator").GetString());
        else
            Assert.Equal("2.5.1", root.GetProperty("brian2_version").GetString());

        foreach (string file in Directory.GetFiles(c.Directory, "*.csv"))
        {
            var table = ReferenceCase.ParseCsv(file);
            Assert.NotEmpty(table.Rows);
            Assert.All(table.Rows, row => Assert.All(row, v => Assert.True(double.IsFinite(v), $"{file}: {v}")));
        }
    }

    [Theory]
    [InlineData("adex_dt0.01", "traces.csv", 5000, 3)]
    [InlineData("adex_dt0.01", "traces_fullres.csv", 5000, 3)]
    [InlineData("adex_dt0.1", "traces.csv", 5000, 3)]
    [InlineData("exact_biexp_lif", "traces.csv", 2000, 10)]
    [InlineData("exact_biexp_lif", "conditions.csv", 20, 3)]
    [InlineData("fitzhugh_nagumo", "traces.csv", 1001, 19)]
    [InlineData("fitzhugh_nagumo", "conditions.csv", 9, 3)]
    [InlineData("hh_exploration_small", "traces.csv", 500, 13)]
    [InlineData("hh_exploration_small", "conditions.csv", 400, 3)]
    [InlineData("hh_exploration_small_nA", "traces.csv", 500, 13)]
    [InlineData("hh_fitting_tutorial", "traces.csv", 1497, 6)]
    [InlineData("hh_fitting_tutorial", "input_traces_hh.csv", 5, 1498)]
    [InlineData("hh_fitting_tutorial", "output_traces_hh.csv", 5, 1498)]
    [InlineData("hh_fitting_tutorial", "conditions.csv", 5, 5)]
    [InlineData("inap_ik", "traces.csv", 500, 7)]
    [InlineData("inap_ik", "conditions.csv", 20, 2)]
    [InlineData("jansen_rit", "traces.csv", 2001, 7)]
    [InlineData("jansen_rit", "final_state.csv", 6, 7)]
    [InlineData("jansen_rit", "conditions.csv", 6, 6)]
    [InlineData("lif_refractory_exact", "conditions.csv", 50, 2)]
    [InlineData("morris_lecar", "traces.csv", 400, 7)]
    [InlineData("morris_lecar", "conditions.csv", 20, 2)]
    [InlineData("neuron_exp2syn", "traces.csv", 4201, 4)]
    [InlineData("neuron_exp2syn", "traces_cclamp.csv", 4201, 3)]
    [InlineData("ou_process", "moments.csv", 201, 7)]
    [InlineData("qif_meanfield_euler", "traces.csv", 401, 31)]
    [InlineData("qif_meanfield_euler", "steady_state.csv", 15, 5)]
    [InlineData("qif_meanfield_rk4", "traces.csv", 401, 31)]
    [InlineData("qif_meanfield_rk4", "steady_state.csv", 15, 5)]
    [InlineData("vanderpol_euler", "traces.csv", 501, 13)]
    [InlineData("vanderpol_rk4", "traces.csv", 501, 13)]
    public void TableHasDocumentedShape(string name, string file, int rows, int columns)
    {
        var table = ReferenceCase.Load(name).ReadCsv(file);
        Assert.Equal(rows, table.Rows.Length);
        Assert.Equal(columns, table.Columns.Count);
    }

    [Theory]
    [InlineData("adex_dt0.1", 20, 649, 19)]
    [InlineData("adex_dt0.01", 20, 652, 19)]
    [InlineData("exact_biexp_lif", 20, 668, 12)]
    [InlineData("hh_exploration_small", 400, 9101, 363)]
    [InlineData("hh_exploration_small_nA", 400, 88436, 397)]
    [InlineData("hh_fitting_tutorial", 5, 10, 4)]
    [InlineData("inap_ik", 20, 648, 17)]
    [InlineData("lif_refractory_exact", 50, 2125, 30)]
    [InlineData("lif_refractory_euler", 50, 2133, 30)]
    [InlineData("morris_lecar", 20, 191, 18)]
    public void SpikeTotalsMatchProvenance(string name, int neurons, long total, int spiking)
    {
        long[] counts = ReferenceCase.Load(name).SpikeCounts();
        Assert.Equal(neurons, counts.Length);
        Assert.Equal(total, counts.Sum());
        Assert.Equal(spiking, counts.Count(n => n > 0));
    }

    [Fact]
    public void SpikeCountsOfSmallCasesAreTheDocumentedLists()
    {
        Assert.Equal([0, 1, 6, 10, 14, 18, 21, 25, 28, 32, 35, 38, 41, 45, 48, 51, 54, 57, 61, 64],
            ReferenceCase.Load("adex_dt0.1").SpikeCounts());
        Assert.Equal([0, 1, 6, 10, 14, 18, 21, 25, 28, 32, 35, 38, 42, 45, 48, 51, 55, 58, 61, 64],
            ReferenceCase.Load("adex_dt0.01").SpikeCounts());
        Assert.Equal([3, 1, 2, 4, 0], ReferenceCase.Load("hh_fitting_tutorial").SpikeCounts());

        // LIF: only neurons 20..49 reach threshold; euler fires at most one spike more than exact.
        long[] exact = ReferenceCase.Load("lif_refractory_exact").SpikeCounts();
        long[] euler = ReferenceCase.Load("lif_refractory_euler").SpikeCounts();
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(i >= 20, exact[i] > 0));
        Assert.All(Enumerable.Range(0, 50), i => Assert.InRange(euler[i] - exact[i], 0, 1));
        Assert.Equal(8, Enumerable.Range(0, 50).Count(i => euler[i] != exact[i]));
    }

    [Theory]
    [InlineData("adex_dt0.1", 0.5)]
    [InlineData("adex_dt0.01", 0.5)]
    [InlineData("exact_biexp_lif", 0.5)]
    [InlineData("hh_fitting_tutorial", 0.01497)]
    [InlineData("inap_ik", 0.2)]
    [InlineData("lif_refractory_exact", 1.0)]
    [InlineData("lif_refractory_euler", 1.0)]
    [InlineData("morris_lecar", 1.0)]
    public void SpikeListAgreesWithCountsOverTheWholeRun(string name, double duration)
    {
        var c = ReferenceCase.Load(name);
        long[] counts = c.SpikeCounts();
        var spikes = c.Spikes();
        var fromList = new long[counts.Length];
        foreach (var (index, time) in spikes)
        {
            Assert.InRange(time, 0.0, duration);
            fromList[index]++;
        }
        Assert.Equal(counts, fromList);
        AssertOrderedByTimeThenIndex(spikes);
    }

    [Theory]
    [InlineData("hh_exploration_small", 4576)]
    [InlineData("hh_exploration_small_nA", 44253)]
    public void HhSpikeListCoversTheFirstSecond(string name, int spikesBefore1s)
    {
        var spikes = ReferenceCase.Load(name).Spikes();
        Assert.Equal(spikesBefore1s, spikes.Length);
        Assert.All(spikes, s => Assert.InRange(s.Time, 0.0, 1.0 - 1e-9));
        AssertOrderedByTimeThenIndex(spikes);
    }

    [Theory]
    [InlineData("hh_exploration_small", 20e-12)]
    [InlineData("hh_exploration_small_nA", 2e-9)]
    public void HhConditionsAreMeshgridWithGnaFastest(string name, double iMax)
    {
        var conditions = ReferenceCase.Load(name).Conditions();
        double[] gNa = conditions["g_na"], current = conditions["I"];
        for (int i = 0; i < 400; i++)
        {
            int gIndex = i % 20, iIndex = i / 20;
            Assert.Equal(2e-6 + gIndex * (18e-6 / 19), gNa[i], 1e-18);
            Assert.Equal(iIndex * iMax / 19, current[i], iMax * 1e-12);
        }
    }

    [Fact]
    public void TracesStartFromTheDocumentedInitialValues()
    {
        var adex = ReferenceCase.Load("adex_dt0.1").ReadCsv("traces.csv");
        Assert.Equal(["time", "v[10]", "w[10]"], adex.Columns);
        Assert.Equal([0.0, -0.0706, 0.0], adex.Rows[0]);
        double[] time = adex.Column("time");
        Assert.All(Enumerable.Range(0, time.Length), k => Assert.Equal(k * 1e-4, time[k], 1e-12));
        Assert.All(adex.Column("v[10]"), v => Assert.True(v <= -0.040, $"v = {v} above the -40 mV threshold"));

        var hh = ReferenceCase.Load("hh_exploration_small").ReadCsv("traces.csv");
        Assert.Equal([0.0, -0.06, 0, 0, 0, -0.06, 0, 0, 0, -0.06, 0, 0, 0], hh.Rows[0]);
    }

    [Fact]
    public void TutorialDataKeepsPandasLayout()
    {
        var input = ReferenceCase.Load("hh_fitting_tutorial").ReadCsv("input_traces_hh.csv");
        Assert.Equal("", input.Columns[0]);
        Assert.Equal("1496", input.Columns[^1]);
        Assert.Equal([0.0, 1, 2, 3, 4], input.Column(""));
    }

    [Fact]
    public void ParsesPythonNonFiniteValues()
    {
        string path = WriteTemp("a,b,c\ninf,-inf,nan\n1e-300,-0,0.10000000000000001\n");
        try
        {
            var table = ReferenceCase.ParseCsv(path);
            Assert.Equal([double.PositiveInfinity, double.NegativeInfinity, double.NaN], table.Rows[0]);
            Assert.Equal([1e-300, -0.0, 0.1], table.Rows[1]);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("index,time\n0,0.1\n1,0.2x\n", "line 3, column 2 ('time')")]
    [InlineData("index,time\n0,0.1\n1\n", "line 3: expected 2 columns, found 1")]
    [InlineData("index,time\n0,0.1\n\n1,0.2\n", "line 3: expected 2 columns, found 1")]
    [InlineData("index,time\n0,0,1\n", "line 2: expected 2 columns, found 3")]
    [InlineData("index,time\n0,1.5e\n", "line 2, column 2 ('time')")]
    [InlineData("", "empty file")]
    public void MalformedCsvNamesFileLineAndColumn(string content, string expected)
    {
        string path = WriteTemp(content);
        try
        {
            var error = Assert.Throws<FormatException>(() => ReferenceCase.ParseCsv(path));
            Assert.Contains(path, error.Message);
            Assert.Contains(expected, error.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void UnknownCaseOrColumnIsReported()
    {
        Assert.Throws<DirectoryNotFoundException>(() => ReferenceCase.Load("no_such_case"));
        Assert.Throws<ArgumentException>(() => ReferenceCase.Load("../reference"));
        var table = ReferenceCase.Load("adex_dt0.1").ReadCsv("conditions.csv");
        var error = Assert.Throws<KeyNotFoundException>(() => table.Column("g_na"));
        Assert.Contains("index,I", error.Message);
    }

    private static void AssertOrderedByTimeThenIndex((long Index, double Time)[] spikes)
    {
        for (int s = 1; s < spikes.Length; s++)
            Assert.True(spikes[s - 1].Time < spikes[s].Time
                        || (spikes[s - 1].Time == spikes[s].Time && spikes[s - 1].Index < spikes[s].Index),
                $"spike {s} out of Brian's order (time, then index)");
    }

    private static string WriteTemp(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"nn-reference-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, content);
        return path;
    }
}
