using System.Diagnostics;
using System.Text;
using NeuroNative.Experiments;
using NeuroNative.Tests.Reference;
using Xunit;

namespace NeuroNative.Tests.Experiments;

/// <summary>Mutated experiment files (a fixed seed: the same 10,000 files every run) must be read or refused
/// with an <see cref="ExperimentException"/>; any other exception, or a crash, fails.</summary>
[Trait("Category", "CodegenIndependent")]
public class ExperimentReaderFuzzTests
{
    private const int Files = 10_000;

    private static readonly string[] Corpus =
    [
        ExperimentFiles.Lif("exact") + "sweep: {parameters: {I: {lo: -0.5*nA, hi: 0.5*nA, n: 50}}}\nrecord: {spikes: true}\n",
        ExperimentFiles.Lif("euler") + """
            seed: 3
            sweep:
              mode: zip
              parameters:
                I: {values: [0.1*nA, 0.2*nA]}
                tau: [10*ms, 20*ms]
            record:
              spikes: true
              state: {variables: [v], every: 1*ms, neurons: [0, 1]}

            """,
        File.ReadAllText(ReferenceCase.Load("lif_phases").PathOf("experiment.yaml")),
        ExperimentFiles.Hh(0.01) + """
            sweep:
              parameters:
                g_na: {lo: 10*msiemens*cm**-2*area, hi: 100*msiemens*cm**-2*area, n: 4, scale: log}
                I: {lo: 0*pA, hi: 20*pA, n: 3}
            record:
              state: {variables: [v, m, alpha_m], every: 0.2*ms}

            """,
    ];

    [Fact]
    public void OnlyExperimentExceptionsEscape()
    {
        var random = new Random(20261201);
        var clock = Stopwatch.StartNew();
        int read = 0;
        for (int run = 0; run < Files; run++)
        {
            string text = Mutate(Corpus[run % Corpus.Length], random);
            try
            {
                ExperimentFile.Parse(text, "fuzz.yaml", Path.GetTempPath());
                read++;
            }
            catch (ExperimentException e)
            {
                Assert.StartsWith("fuzz.yaml", e.Message);
            }
            catch (Exception e)
            {
                Assert.Fail($"file {run} threw {e.GetType().Name}: {e.Message}\n--- the file ---\n{text}\n--- ---\n{e}");
            }
        }
        Assert.True(read > Files / 50, $"only {read} of {Files} mutated files were read: the mutations lost their way");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(50), $"{Files} files took {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>One to three of: a byte flipped, a span deleted or duplicated, a line's indentation changed,
    /// two tokens swapped.</summary>
    private static string Mutate(string text, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        for (int m = random.Next(1, 4); m > 0 && bytes.Count > 0; m--)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 12), bytes.Count - at));
                    break;
                case 2:
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(random.Next(1, 40), bytes.Count - at)));
                    break;
                case 3:
                    int start = bytes.LastIndexOf((byte)'\n', at) + 1;
                    if (random.Next(2) == 0) bytes.InsertRange(start, Enumerable.Repeat((byte)' ', random.Next(1, 5)));
                    else while (start < bytes.Count && bytes[start] == ' ' && random.Next(3) > 0) bytes.RemoveAt(start);
                    break;
                default:
                    bytes = Encoding.UTF8.GetBytes(SwapTokens(Encoding.UTF8.GetString(bytes.ToArray()), random)).ToList();
                    break;
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static readonly char[] Separators = [' ', '\n', ',', ':', '{', '}', '[', ']'];

    private static string SwapTokens(string text, Random random)
    {
        var tokens = new List<(int Start, int Length)>();
        for (int i = 0; i < text.Length;)
        {
            int end = text.IndexOfAny(Separators, i);
            if (end < 0) end = text.Length;
            if (end > i) tokens.Add((i, end - i));
            i = end + 1;
        }
        if (tokens.Count < 2) return text;
        var (a, b) = (tokens[random.Next(tokens.Count)], tokens[random.Next(tokens.Count)]);
        if (a.Start > b.Start) (a, b) = (b, a);
        if (a.Start == b.Start) return text;
        return text[..a.Start] + text.Substring(b.Start, b.Length) + text[(a.Start + a.Length)..b.Start]
            + text.Substring(a.Start, a.Length) + text[(b.Start + b.Length)..];
    }
}
