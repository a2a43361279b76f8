using NeuroNative.Synapses;
using ScottPlot;

namespace NeuroNative.Plotting;

/// <summary>The figures of a synapse characterisation as bmtool draws them (docs/synapses.md): the single event with its
/// measured properties marked, a train with each pulse's amplitude labelled, the frequency response on a log axis.</summary>
public static class SynapseFigures
{
    /// <summary>The measured signal (pA or mV) around the event: baseline, peak, the rise-interval points and the
    /// half width marked, the properties listed in the legend.</summary>
    public static Figure PlotSingleEvent(SingleEventResult result, bool voltageClamp, double stimulus, (double Low, double High) riseInterval)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (signal, unit, scale) = Signal(result.Traces, voltageClamp);
        var p = result.Properties;
        var figure = Figure.Grid(1, 1, 900, 560);
        var plot = figure.Plots[0];
        double t0 = Math.Max(0, stimulus - 5e-3);
        int k0 = (int)(t0 / result.Traces.Dt);
        var ts = Enumerable.Range(k0, signal.Length - k0).Select(k => (k * result.Traces.Dt - stimulus) * 1e3).ToArray();
        var ys = signal.Skip(k0).Select(y => y * scale).ToArray();
        var line = plot.Add.ScatterLine(ts, ys, Colors.Black);
        line.LegendText = voltageClamp ? "clamp current" : "synaptic current";
        double baseline = p.Baseline * scale, peak = (p.Baseline + p.Sign * p.Amplitude) * scale;
        var b = plot.Add.HorizontalLine(baseline, 1, Colors.Gray, LinePattern.Dashed);
        b.LegendText = $"baseline {baseline:G4} {unit}";
        var m = plot.Add.Marker((p.PeakTime - stimulus) * 1e3, peak, MarkerShape.FilledCircle, 10, Colors.Red);
        m.LegendText = $"amplitude {p.Amplitude * scale:G4} {unit} at {(p.PeakTime - stimulus) * 1e3:G4} ms";
        var rise = plot.Add.HorizontalLine(baseline + p.Sign * riseInterval.Low * p.Amplitude * scale, 1, Colors.Blue, LinePattern.Dotted);
        rise.LegendText = $"rise {riseInterval.Low * 100:G3}–{riseInterval.High * 100:G3} %: {p.RiseTime * 1e3:G4} ms";
        plot.Add.HorizontalLine(baseline + p.Sign * riseInterval.High * p.Amplitude * scale, 1, Colors.Blue, LinePattern.Dotted);
        var half = plot.Add.HorizontalLine(baseline + p.Sign * 0.5 * p.Amplitude * scale, 1, Colors.Green, LinePattern.Dotted);
        half.LegendText = $"half width {p.HalfWidth * 1e3:G4} ms";
        var onset = plot.Add.VerticalLine(p.Latency * 1e3, 1, Colors.Orange, LinePattern.Dashed);
        onset.LegendText = $"latency {p.Latency * 1e3:G4} ms, decay tau {p.DecayTime * 1e3:G4} ms";
        plot.Title("Single event");
        plot.XLabel("time from the event (ms)");
        plot.YLabel($"{line.LegendText} ({unit})");
        plot.ShowLegend(Alignment.LowerRight);
        return figure;
    }

    /// <summary>The train's signal with each pulse's amplitude written at its peak.</summary>
    public static Figure PlotTrain(TrainResult result, bool voltageClamp)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Traces is null) throw new ArgumentException("the train was run without traces");
        var (signal, unit, scale) = Signal(result.Traces, voltageClamp);
        double dt = result.Traces.Dt;
        var figure = Figure.Grid(1, 1, 1100, 560);
        var plot = figure.Plots[0];
        plot.Add.ScatterLine(Enumerable.Range(0, signal.Length).Select(k => k * dt * 1e3).ToArray(), signal.Select(y => y * scale).ToArray(), Colors.Black);
        var starts = result.EventTimes.Select(t => (int)Math.Floor(t / dt + 1e-9)).Append(signal.Length).ToArray();
        double baseline = signal[Math.Max(0, starts[0] - 1)];
        for (int i = 0; i < result.EventTimes.Count; i++)
        {
            // the peak: the sample of the window farthest from the baseline in the response's direction
            int best = starts[i];
            for (int k = starts[i]; k < starts[i + 1]; k++) if (Math.Abs(signal[k] - baseline) > Math.Abs(signal[best] - baseline)) best = k;
            plot.Add.Marker(best * dt * 1e3, signal[best] * scale, MarkerShape.FilledCircle, 7, Colors.Red);
            var text = plot.Add.Text($"{result.Properties.Amplitudes[i] * scale:G3}", best * dt * 1e3, signal[best] * scale);
            text.LabelFontSize = 11;
            text.LabelFontName = "DejaVu Sans";
        }
        plot.Title($"{result.Frequency:G4} Hz train: PPR {result.Properties.Ppr:G3}, induction {result.Properties.Induction:G3}, " +
                   $"recovery {result.Properties.Recovery:G3}");
        plot.XLabel("time (ms)");
        plot.YLabel($"{(voltageClamp ? "clamp current" : "synaptic current")} ({unit}); pulse amplitudes labelled");
        return figure;
    }

    /// <summary>PPR, induction and recovery against the frequency (log axis), one panel each, a line per parameter set.</summary>
    public static Figure PlotFrequencyResponse(FrequencyResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Frequencies.Any(f => !(f > 0))) throw new ArgumentException("frequencies must be > 0 for a log axis");
        var figure = Figure.Grid(3, 3, 480, 420);
        var xs = response.Frequencies.Select(Math.Log10).ToArray();
        string[] names = ["PPR", "induction", "recovery"];
        for (int panel = 0; panel < 3; panel++)
        {
            var plot = figure.Plots[panel];
            for (int s = 0; s < response.Trains.Count; s++)
            {
                var ys = panel switch { 0 => response.Ppr(s), 1 => response.Induction(s), _ => response.Recovery(s) };
                var line = plot.Add.ScatterLine(xs, ys);
                line.MarkerShape = MarkerShape.FilledCircle;
                line.MarkerSize = 6;
                if (response.Trains.Count > 1) line.LegendText = $"set {s}";
            }
            plot.Add.HorizontalLine(panel == 0 ? 1 : 0, 1, Colors.Gray, LinePattern.Dashed);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = x => $"{Math.Pow(10, x):G3}",
            };
            plot.Title(names[panel]);
            plot.XLabel("frequency (Hz)");
            if (response.Trains.Count > 1 && panel == 0) plot.ShowLegend(Alignment.UpperRight);
        }
        return figure;
    }

    /// <summary>The coupling coefficient against the gap-junction conductance (nS).</summary>
    public static Figure PlotCouplingCoefficient(GapJunctionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var figure = Figure.Grid(1, 1, 700, 500);
        var plot = figure.Plots[0];
        var line = plot.Add.ScatterLine(result.Conductances.Select(g => g * 1e9).ToArray(), result.CouplingCoefficients.ToArray());
        line.MarkerShape = MarkerShape.FilledCircle;
        plot.Title("Gap junction coupling coefficient");
        plot.XLabel("conductance (nS)");
        plot.YLabel("CC = ΔV2/ΔV1");
        return figure;
    }

    private static (double[] Signal, string Unit, double Scale) Signal(SynapseTraces traces, bool voltageClamp) =>
        (voltageClamp ? traces.ClampCurrent : traces.SynapticCurrent, "pA", 1e12);
}
