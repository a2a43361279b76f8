using System.Text.Json;
using NeuroNative.Experiments;
using NeuroNative.Synapses;
using NeuroNative.Tests.Cli;
using Xunit;

namespace NeuroNative.Tests.Synapses;

/// <summary><c>neuronative synapse</c> with the issue's file, and its errors.</summary>
public sealed class SynapseCliTests
{
    private const string Issue = """
        general_settings: {vclamp: true, tstart: 100*ms, tdur: 300*ms, dt: 0.025*ms, celsius: 34,
                           threshold: 10*mV, delay: 0*ms, weight: 1*nS, rise_interval: [0.2, 0.8]}
        cell: {library: passive_soma, parameters: {L: 20*um, diam: 20*um, cm: 1*uF/cm**2,
               g_pas: 1e-4*siemens/cm**2, e_pas: -70*mV}}
        synapse: {library: tm_exp2syn, parameters: {tau1: 0.5*ms, tau2: 5*ms, e: 0*mV,
                  U: 0.5, tau_rec: 800*ms, tau_facil: 0*ms}}
        clamp: {vclamp_amp: -70*mV, rs: 0.01*Mohm}
        protocol: {kind: frequency, freqs: [10, 20, 50, 100], delay: 250*ms}
        """;

    [Fact]
    public void TheIssuesFileWritesTheFrequencyResponse()
    {
        using var h = new CliHarness();
        var (code, stdout, stderr) = CliHarness.Invoke("synapse", h.Write("syn.yaml", Issue), "--out", h.Path("out"));
        Assert.True(code == 0, stderr);
        Assert.Contains("frequency_response.png", stdout);
        var json = JsonDocument.Parse(File.ReadAllText(h.Path("out/properties.json"))).RootElement;
        Assert.Equal([10.0, 20, 50, 100], json.GetProperty("frequencies").EnumerateArray().Select(x => x.GetDouble()));
        var amps = json.GetProperty("amplitudes").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        Assert.All(amps, a => Assert.Equal(12, a.Length));
        // the first response: a release of U = 0.5 of the 1 nS peak × 70 mV driving force, the clamp holding at e_pas
        Assert.InRange(amps[0][0], 0.995 * 35e-12, 35e-12);
        // depressing: the second pulse releases U(1 − U)·... less, so PPR < 1
        Assert.All(json.GetProperty("ppr").EnumerateArray(), p => Assert.InRange(p.GetDouble(), 0.3, 0.99));
        Assert.True(new FileInfo(h.Path("out/frequency_response.png")).Length > 10_000);
    }

    [Fact]
    public void SingleGapAndTrainFilesWriteTheirOutputs()
    {
        using var h = new CliHarness();
        string single = Issue.Replace("protocol: {kind: frequency, freqs: [10, 20, 50, 100], delay: 250*ms}", "protocol: {kind: single}");
        var (code, _, stderr) = CliHarness.Invoke("synapse", h.Write("single.yaml", single), "--out", h.Path("single"));
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(File.ReadAllText(h.Path("single/properties.json"))).RootElement;
        foreach (var key in SingleEventProperties.Keys) Assert.True(json.TryGetProperty(key, out _), key);
        Assert.Equal(-1, json.GetProperty("sign").GetDouble());
        Assert.Equal(16001, Npy.ReadFloat64(File.ReadAllBytes(h.Path("single/i_clamp.npy"))).Length);
        Assert.True(File.Exists(h.Path("single/single_event.png")));

        string train = Issue.Replace("protocol: {kind: frequency, freqs: [10, 20, 50, 100], delay: 250*ms}", "protocol: {kind: train, freq: 50, delay: 250*ms}");
        (code, _, stderr) = CliHarness.Invoke("synapse", h.Write("train.yaml", train), "--out", h.Path("train"));
        Assert.True(code == 0, stderr);
        Assert.Equal(12, JsonDocument.Parse(File.ReadAllText(h.Path("train/properties.json"))).RootElement.GetProperty("amplitudes").GetArrayLength());
        Assert.True(File.Exists(h.Path("train/train.png")));

        string examples = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "examples");
        (code, _, stderr) = CliHarness.Invoke("synapse", Path.Combine(examples, "synapse_gap.yaml"), "--out", h.Path("gap"));
        Assert.True(code == 0, stderr);
        var cc = JsonDocument.Parse(File.ReadAllText(h.Path("gap/properties.json"))).RootElement.GetProperty("cc").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(6, cc.Length);
        Assert.True(cc.Zip(cc.Skip(1)).All(p => p.First < p.Second), "CC grows with the conductance");
    }

    [Fact]
    public void OptimizeFindsTheWeightOfATargetAmplitude()
    {
        using var h = new CliHarness();
        string file = Issue.Replace("protocol: {kind: frequency, freqs: [10, 20, 50, 100], delay: 250*ms}",
            "protocol: {kind: optimize, targets: {amp: 21*pA, ppr: {value: 0.6, freq: 20, weight: 0.001}}, bounds: {U: [0.05, 0.95]}, max_evaluations: 60}")
            .Replace("tdur: 300*ms", "tdur: 50*ms");
        var (code, _, stderr) = CliHarness.Invoke("synapse", h.Write("opt.yaml", file), "--out", h.Path("out"));
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(File.ReadAllText(h.Path("out/properties.json"))).RootElement;
        // the first release is U: 21 pA of the 70 pA peak is U = 0.3
        Assert.Equal(0.3, json.GetProperty("parameters").GetProperty("U").GetDouble(), 2);
        Assert.True(json.GetProperty("achieved").TryGetProperty("ppr@20Hz", out _));
        Assert.Equal(json.GetProperty("evaluations").GetInt32() + 1, File.ReadAllLines(h.Path("out/history.csv")).Length);
    }

    public static TheoryData<string, string, string> Errors => new()
    {
        { "kind: frequency, freqs: [10, 20, 50, 100], delay: 250*ms", "kind: burst", "protocol.kind: 'burst' is not one of single, train" },
        { "tau1: 0.5*ms", "tau1: 0.5*mV", "tau1: volt" },
        { "tau1: 0.5*ms", "tau_one: 0.5*ms", "tau_one: not a parameter of the cell or synapse" },
        { "library: tm_exp2syn", "library: tm_exp2sin", "did you mean 'tm_exp2syn'" },
        { "kind: frequency, freqs: [10, 20, 50, 100], delay: 250*ms", "kind: optimize, targets: {amp: 50*pA}, bounds: {tau1: [2*ms, 1*ms]}", "lo must be < hi" },
        { "kind: frequency, freqs: [10, 20, 50, 100], delay: 250*ms", "kind: optimize, targets: {amplitude: 50*pA}, bounds: {tau1: [0.1*ms, 1*ms]}", "unknown key 'amplitude'" },
        { "weight: 1*nS", "weight: 0*nS", "no response" },
        { "tstart: 100*ms", "tstart: 0*ms", "tstart 0 s must be > 0" },
        { "vclamp: true", "vclamp: false", "clamp: general_settings.vclamp is false" },
        { "delay: 0*ms, weight", "delay: 400*ms, weight", "after its end" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void BadFilesFailWithTheKeyAndWhatWasExpected(string from, string to, string message)
    {
        using var h = new CliHarness();
        var (code, _, stderr) = CliHarness.Invoke("synapse", h.Write("bad.yaml", Issue.Replace(from, to)), "--out", h.Path("out"));
        Assert.NotEqual(0, code);
        Assert.Contains(message, stderr);
        Assert.Contains("bad.yaml", stderr);
    }
}
