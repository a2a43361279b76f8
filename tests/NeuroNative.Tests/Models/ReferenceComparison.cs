using NeuroNative.Tests.Reference;
using Xunit;

namespace NeuroNative.Tests.Models;

/// <summary>What a simulator produced for a <see cref="ReferenceScenario"/>, whatever ran it.</summary>
public interface IScenarioResult
{
    /// <summary>The neurons simulated, as indices of the reference case (a subset for slow runners).</summary>
    IReadOnlyList<int> Neurons { get; }
    /// <summary>Values of a variable (or subexpression) of one reference neuron at steps 0, every, 2 every, ...</summary>
    double[] Trace(string variable, int neuron, int every);
    /// <summary>The value after the last step.</summary>
    double Final(string variable, int neuron);
    /// <summary>Spike count per simulated neuron (same order as <see cref="Neurons"/>).</summary>
    long[] SpikeCounts { get; }
    /// <summary>All spikes as (reference neuron index, time) in time order.</summary>
    IReadOnlyList<(long Index, double Time)> Spikes { get; }
}

/// <summary>
/// The acceptance comparisons against Brian 2: every recorded variable within 1e-6 (or the scenario's
/// tolerance) of its range over the recorded window, identical spike counts, spike times in the same step.
/// </summary>
public static class ReferenceComparison
{
    public const double RelativeTraceTolerance = 1e-6;

    /// <summary>The (variable, neuron) pairs a scenario's trace files record.</summary>
    public static IEnumerable<(string Variable, int Neuron)> TracedColumns(ReferenceScenario s) =>
        s.Traces.SelectMany(t => s.Data.ReadCsv(t.File).Columns.Skip(1)).Select(ReferenceScenario.ParseColumn).Distinct();

    public static void AssertMatches(ReferenceScenario s, IScenarioResult result)
    {
        var data = s.Data;
        foreach (var trace in s.Traces)
        {
            var table = data.ReadCsv(trace.File);
            int rows = table.Rows.Length - (trace.FinalRow ? 1 : 0);
            foreach (var column in table.Columns.Skip(1))
            {
                var (variable, neuron) = ReferenceScenario.ParseColumn(column);
                if (!result.Neurons.Contains(neuron)) continue;
                var expected = table.Column(column);
                double range = expected.Max() - expected.Min();
                double tolerance = s.TraceTolerance * Math.Max(range, 1e-300);
                var actual = result.Trace(variable, neuron, trace.Every);
                Assert.True(actual.Length >= rows, $"{s.Case} {trace.File} {column}: {actual.Length} samples, expected {rows}");
                double worst = 0;
                int worstRow = 0;
                for (int r = 0; r < rows; r++)
                {
                    double d = Math.Abs(actual[r] - expected[r]);
                    if (!(d <= worst)) { worst = d; worstRow = r; }
                }
                if (trace.FinalRow)
                {
                    double d = Math.Abs(result.Final(variable, neuron) - expected[^1]);
                    if (!(d <= worst)) { worst = d; worstRow = rows; }
                }
                Assert.True(worst <= tolerance,
                    $"{s.Case} {trace.File} {column}: deviation {worst:G3} at row {worstRow} exceeds {tolerance:G3} " +
                    $"({s.TraceTolerance:G2} of the range {range:G6}); expected {expected[Math.Min(worstRow, expected.Length - 1)]:R}");
            }
        }

        if (!s.HasSpikes) return;
        var counts = data.SpikeCounts();
        for (int k = 0; k < result.Neurons.Count; k++)
            Assert.True(counts[result.Neurons[k]] == result.SpikeCounts[k],
                $"{s.Case}: neuron {result.Neurons[k]} fired {result.SpikeCounts[k]} spikes, Brian 2 {counts[result.Neurons[k]]}");

        // The spike file may cover only part of the run (hh_exploration: t < 1 s).
        var expectedSpikes = data.Spikes();
        double horizon = expectedSpikes.Length == 0 ? 0 : expectedSpikes.Max(sp => sp.Time);
        var wanted = new HashSet<long>(result.Neurons.Select(n => (long)n));
        var expectedSubset = expectedSpikes.Where(sp => wanted.Contains(sp.Index)).ToList();
        var actualSubset = result.Spikes.Where(sp => sp.Time <= horizon + s.Dt / 2).ToList();
        Assert.Equal(expectedSubset.Count, actualSubset.Count);
        var expectedSorted = expectedSubset.OrderBy(sp => sp.Index).ThenBy(sp => sp.Time).ToList();
        var actualSorted = actualSubset.OrderBy(sp => sp.Index).ThenBy(sp => sp.Time).ToList();
        for (int k = 0; k < expectedSorted.Count; k++)
        {
            Assert.Equal(expectedSorted[k].Index, actualSorted[k].Index);
            Assert.True(Math.Abs(expectedSorted[k].Time - actualSorted[k].Time) < s.Dt / 2,
                $"{s.Case}: spike of neuron {expectedSorted[k].Index} at {actualSorted[k].Time} s, Brian 2 at {expectedSorted[k].Time} s");
        }
    }
}
