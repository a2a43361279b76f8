using System.Diagnostics;
using System.Globalization;

namespace NeuroNative.Cli;

/// <summary>One updating line on a terminal: steps done / total and the simulation speed. Reports come
/// from the native run loop on the calling thread, so nothing here needs locking.</summary>
internal sealed class ConsoleProgress(TextWriter writer, long neurons, string label = "") : IProgress<(long Done, long Total)>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private TimeSpan _last = -Interval;
    private bool _drawn;

    public void Report((long Done, long Total) value)
    {
        var now = _watch.Elapsed;
        if (now - _last < Interval && value.Done < value.Total) return;
        _last = now;
        double rate = now.TotalSeconds > 0 ? value.Done * (double)neurons / now.TotalSeconds : 0;
        double percent = value.Total > 0 ? 100.0 * value.Done / value.Total : 100;
        writer.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{label}{value.Done}/{value.Total} steps ({percent:F1}%), {rate:0.00e+00} neuron-steps/s   "));
        writer.Flush();
        _drawn = true;
    }

    /// <summary>Ends the line so that later messages start on a fresh one.</summary>
    public void Finish()
    {
        if (_drawn) writer.WriteLine();
    }
}

/// <summary>A progress line per exploration, each named before its steps.</summary>
internal sealed class ExplorationConsoleProgress(TextWriter writer) : IProgress<NeuroNative.Explorations.ExplorationProgress>
{
    private ConsoleProgress? _bar;
    private string? _current;

    public void Report(NeuroNative.Explorations.ExplorationProgress value)
    {
        if (value.Exploration != _current)
        {
            _bar?.Finish();
            _bar = new ConsoleProgress(writer, value.Conditions, $"{value.Exploration}: ");
            _current = value.Exploration;
        }
        _bar!.Report((value.Done, value.Total));
    }

    public void Finish() => _bar?.Finish();
}
