using NeuroNative.Cli;

namespace NeuroNative.Inference.Tests;

/// <summary><c>neuronative infer</c> on a small edit of examples/infer_hh.yaml.</summary>
public class InferCommandTests
{
    static readonly string Examples = Path.Combine(AppContext.BaseDirectory, "examples");

    static (int Code, string Out, string Err) Infer(string name, Func<string, string> edit, string outDir)
    {
        string yaml = File.ReadAllText(Path.Combine(Examples, "infer_hh.yaml"))
            .Replace("n_samples: 15000", "n_samples: 300").Replace("n_draws: 10000", "n_draws: 200")
            .Replace("seed: 1", "seed: 1\n  max_epochs: 3\n  sbc_simulations: 20");
        string path = Path.Combine(Examples, $"{name}-{Environment.ProcessId}.yaml");   // beside the example: same data paths
        File.WriteAllText(path, edit(yaml));
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = CliApp.Run(["infer", path, "--out", outDir, "--threads", "2"], stdout, stderr, CancellationToken.None);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void InferWritesTheIssuesFiles()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"nn-infer-cli-{Environment.ProcessId}");
        try
        {
            var (code, output, error) = Infer("small", y => y, dir);
            Assert.True(code == 0, error);
            foreach (string f in new[] { "posterior.nnpost", "samples.npy", "summary.json", "pairplot.png", "sbc.png" })
                Assert.True(File.Exists(Path.Combine(dir, f)), $"{f} missing; output: {output}");
            Assert.Contains("g_Na: mean", output);
            Assert.Contains("SBC: p =", output);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadPriorIsAUsageErrorNamingTheKey()
    {
        var (code, _, error) = Infer("bad", y => y.Replace("g_K: [0.1*uS, 10*uS]", "g_K: [10*uS, 0.1*uS]"), Path.GetTempPath());
        Assert.Equal(CliApp.ExitUsageError, code);
        Assert.Contains("infer.prior.g_K", error);
    }
}
