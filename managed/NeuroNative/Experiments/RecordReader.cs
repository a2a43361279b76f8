using System.Globalization;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Units;

namespace NeuroNative.Experiments;

/// <summary>The <c>record</c> section: spikes, the population rate, which state variables of which neurons how often,
/// and which variables' values after the last step (Brian's <c>G.v</c> after <c>run()</c>).</summary>
internal static class RecordReader
{
    private static readonly string[] RecordKeys = ["spikes", "population_rate", "state", "final", "events"];
    private static readonly string[] RateKeys = ["neurons", "window", "width"];
    private static readonly string[] StateKeys = ["variables", "every", "neurons", "when", "order", "record_single_timestep"];
    private static readonly string[] SpikeKeys = ["variables", "when", "order"];
    private static readonly string[] EventKeys = ["event", "variables", "when", "order"];

    public static (bool Spikes, EventRecording? SpikeVariables, StateRecording? State, IReadOnlyList<string> Final,
        PopulationRateRecording? Rate, IReadOnlyList<EventRecording> Events) Read(
        DocumentReader doc, ConfigNode node, AnalyzedModel model, int n, double dt)
    {
        var fields = doc.Fields(node, "record", RecordKeys);
        var (spikes, spikeVariables) = fields.TryGetValue("spikes", out var spikesNode) ? Spikes(doc, spikesNode, model) : (false, null);
        var final = fields.TryGetValue("final", out var finalNode) ? Variables(doc, finalNode, model, "record.final") : [];
        var rate = fields.TryGetValue("population_rate", out var rateNode) ? PopulationRate(doc, rateNode, model, n) : null;
        var events = fields.TryGetValue("events", out var eventsNode) ? Events(doc, eventsNode, model) : [];
        if (!fields.TryGetValue("state", out var stateNode)) return (spikes, spikeVariables, null, final, rate, events);

        var state = doc.Fields(stateNode, "record.state", StateKeys);
        var variables = Variables(doc, doc.Required(state, "variables", state.Node, "record.state"), model, "record.state.variables");

        long every = 1;
        if (state.TryGetValue("every", out var everyNode))
        {
            double seconds = doc.Quantity(model, everyNode, "record.state.every", Dimension.Time, "a duration");
            double steps = seconds / dt, whole = Math.Round(steps);
            if (!(whole >= 1) || Math.Abs(steps - whole) > 1e-9 * whole || whole > long.MaxValue)
                throw doc.Error(everyNode, $"record.state.every: {Number(seconds)} s is not a whole positive multiple of dt = " +
                    $"{Number(dt)} s ({steps.ToString("G6", CultureInfo.InvariantCulture)} steps)");
            every = (long)whole;
        }

        var neurons = new List<long>();
        if (!state.TryGetValue("neurons", out var neuronsNode) || neuronsNode is ConfigScalar { Text: "all" })
            for (long i = 0; i < n; i++) neurons.Add(i);
        else if (neuronsNode is ConfigSequence list)
            foreach (var item in list.Items)
            {
                long i = doc.Integer(item, "record.state.neurons", 0);
                if (i >= n) throw doc.Error(item, $"record.state.neurons: neuron {i} does not exist (the experiment has {n}, 0..{n - 1})");
                neurons.Add(i);
            }
        else throw doc.Error(neuronsNode, $"record.state.neurons: expected a list of neuron indices or 'all', found {neuronsNode.Kind}");
        var recording = new StateRecording(variables, neurons, every);
        if (state.TryGetValue("when", out var when)) recording = recording with { When = doc.Choice(when, "record.state.when", [.. Schedule.SlotNames]) };
        if (state.TryGetValue("order", out var order)) recording = recording with { Order = doc.Integer(order, "record.state.order", int.MinValue) };
        if (state.TryGetValue("record_single_timestep", out var single))
            recording = recording with { RecordSingleTimestep = doc.Boolean(single, "record.state.record_single_timestep") };
        return (spikes, spikeVariables, recording, final, rate, events);
    }

    /// <summary><c>true</c>, or <c>{variables: [v, w], when: after_resets, order: 0}</c>: also the values of those variables
    /// at each spike (Brian's <c>SpikeMonitor(G, variables=...)</c>), by default just after the threshold.</summary>
    private static (bool, EventRecording?) Spikes(DocumentReader doc, ConfigNode node, AnalyzedModel model)
    {
        bool mapping = node is not ConfigScalar;
        if (!mapping && !doc.Boolean(node, "record.spikes")) return (false, null);
        if (model.Threshold is null)
            throw doc.Error(node, "record.spikes: the model has no threshold, so it never spikes; add model.threshold");
        if (!mapping) return (true, null);
        var fields = doc.Fields(node, "record.spikes", SpikeKeys);
        var recording = Monitor(doc, fields, model, AnalyzedModel.SpikeEvent, "record.spikes", "spikes");
        if (model.MonitorPoint(recording.When ?? "thresholds", recording.Order ?? 1, Schedule.SpikeMonitorName).Slot < (int)Interop.nn_slot.NN_SLOT_EVENTS)
            throw doc.Error(fields["when"], $"record.spikes.when: a spike monitor at '{recording.When}' (order {recording.Order ?? 0}) " +
                "runs before the threshold in Brian's schedule, where it sees the previous step's spikes; use 'thresholds' or later");
        return (true, recording);
    }

    /// <summary>The variables (required) and the when/order of a monitor of <paramref name="eventName"/>; the variables'
    /// files are <c>&lt;prefix&gt;_&lt;var&gt;.npy</c> beside <c>&lt;prefix&gt;_index.npy</c> and <c>&lt;prefix&gt;_time.npy</c>.</summary>
    private static EventRecording Monitor(DocumentReader doc, Fields fields, AnalyzedModel model, string eventName, string key,
        string prefix)
    {
        var variablesNode = doc.Required(fields, "variables", fields.Node, key);
        var variables = Variables(doc, variablesNode, model, $"{key}.variables");
        foreach (var item in variablesNode is ConfigSequence seq ? seq.Items : [variablesNode])
            if (doc.Scalar(item, $"{key}.variables").Text.Trim() is ("index" or "time") and var clash)
                throw doc.Error(item, $"{key}.variables: '{clash}' would be written to {prefix}_{clash}.npy, the file of the " +
                    $"{(clash == "index" ? "indices" : "times")}; record it through a subexpression of another name");
        var recording = new EventRecording(eventName, variables);
        if (fields.TryGetValue("when", out var when)) recording = recording with { When = doc.Choice(when, $"{key}.when", [.. Schedule.SlotNames]) };
        if (fields.TryGetValue("order", out var order))
        {
            if (recording.When is null) throw doc.Error(order, $"{key}.order: give when with it (Brian: 'Cannot specify order if when is not specified')");
            recording = recording with { Order = doc.Integer(order, $"{key}.order", int.MinValue) };
        }
        return recording;
    }

    /// <summary><c>true</c>, or <c>{neurons: [start, stop], window: gaussian | flat, width: 5*ms}</c>: the rate of neurons
    /// start..stop-1 (default all), also smoothed as Brian's smooth_rate when a window is given.</summary>
    private static PopulationRateRecording? PopulationRate(DocumentReader doc, ConfigNode node, AnalyzedModel model, int n)
    {
        if (model.Threshold is null)
            throw doc.Error(node, "record.population_rate: the model has no threshold, so it never spikes; add model.threshold");
        if (node is ConfigScalar) return doc.Boolean(node, "record.population_rate") ? new PopulationRateRecording(0, n, null, 0) : null;
        var fields = doc.Fields(node, "record.population_rate", RateKeys);
        int start = 0, stop = n;
        if (fields.TryGetValue("neurons", out var neuronsNode))
        {
            if (neuronsNode is not ConfigSequence { Items: [var first, var last] })
                throw doc.Error(neuronsNode, "record.population_rate.neurons: expected [start, stop], the neurons start..stop-1 " +
                    "(Brian's subgroup G[start:stop])");
            start = doc.Integer(first, "record.population_rate.neurons", 0);
            stop = doc.Integer(last, "record.population_rate.neurons", start + 1);
            if (stop > n) throw doc.Error(last, $"record.population_rate.neurons: stop {stop} is past the last neuron (the experiment has {n})");
        }
        if (!fields.TryGetValue("window", out var windowNode))
        {
            if (fields.TryGetValue("width", out var lone)) throw doc.Error(lone, "record.population_rate.width: give a window with it");
            return new PopulationRateRecording(start, stop, null, 0);
        }
        var window = doc.Scalar(windowNode, "record.population_rate.window").Text.Trim() switch
        {
            "gaussian" => RateWindow.Gaussian,
            "flat" => RateWindow.Flat,
            var other => throw doc.Error(windowNode, $"record.population_rate.window: expected gaussian or flat, not '{other}'"),
        };
        double width = doc.Quantity(model, doc.Required(fields, "width", fields.Node, "record.population_rate"),
            "record.population_rate.width", Dimension.Time, "a duration");
        if (!(width > 0) || double.IsInfinity(width))
            throw doc.Error(fields["width"], $"record.population_rate.width: must be a positive duration, not {Number(width)} s");
        return new PopulationRateRecording(start, stop, window, width);
    }

    /// <summary>record.events: custom events of the model, each recorded by an EventMonitor, given by name (at Brian's
    /// default point) or as <c>{event: up, variables: [v], when: end, order: 0}</c> (with the values of variables at each event).</summary>
    private static List<EventRecording> Events(DocumentReader doc, ConfigNode node, AnalyzedModel model)
    {
        var known = model.Definition.CustomEvents.Select(e => e.Name).ToList();
        var events = new List<EventRecording>();
        foreach (var item in node is ConfigSequence seq ? seq.Items : [node])
        {
            var fields = item is ConfigScalar ? null : doc.Fields(item, "record.events", EventKeys);
            var nameNode = fields is null ? item : doc.Required(fields, "event", item, "record.events");
            string name = doc.Scalar(nameNode, "record.events").Text.Trim();
            if (!known.Contains(name))
                throw doc.Error(nameNode, $"record.events: the model has no custom event '{name}'" + (known.Count == 0
                    ? "; define it in model.events" : DocumentReader.Hint(name, known)));
            if (events.Any(e => e.Event == name)) throw doc.Error(nameNode, $"record.events: '{name}' is listed twice");
            events.Add(fields is null ? new EventRecording(name, []) : Monitor(doc, fields, model, name, "record.events", $"events_{name}"));
        }
        return events;
    }

    /// <summary>A name or a list of distinct names of the model's variables and subexpressions.</summary>
    private static List<string> Variables(DocumentReader doc, ConfigNode node, AnalyzedModel model, string key)
    {
        var known = model.States.Select(s => s.Name).Concat(model.Parameters.Select(p => p.Name))
            .Concat(model.Subexpressions.Select(s => s.Name)).ToList();
        var variables = new List<string>();
        foreach (var v in node is ConfigSequence seq ? seq.Items : [node])
        {
            string name = doc.Scalar(v, key).Text.Trim();
            if (!known.Contains(name))
                throw doc.Error(v, $"{key}: the model has no variable or subexpression '{name}'" + DocumentReader.Hint(name, known));
            if (variables.Contains(name)) throw doc.Error(v, $"{key}: '{name}' is listed twice");
            variables.Add(name);
        }
        if (variables.Count == 0) throw doc.Error(node, $"{key}: expected at least one variable, e.g. [v]");
        return variables;
    }

    /// <summary>The shortest text that reads back as the same double.</summary>
    private static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
