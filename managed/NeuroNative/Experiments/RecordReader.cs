using System.Globalization;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Units;

namespace NeuroNative.Experiments;

/// <summary>The <c>record</c> section: spikes, which state variables of which neurons how often, and which
/// variables' values after the last step (Brian's <c>G.v</c> after <c>run()</c>).</summary>
internal static class RecordReader
{
    private static readonly string[] RecordKeys = ["spikes", "state", "final", "events"];
    private static readonly string[] StateKeys = ["variables", "every", "neurons", "when", "order"];

    public static (bool Spikes, StateRecording? State, IReadOnlyList<string> Final, IReadOnlyList<string> Events) Read(
        DocumentReader doc, ConfigNode node, AnalyzedModel model, int n, double dt)
    {
        var fields = doc.Fields(node, "record", RecordKeys);
        bool spikes = fields.TryGetValue("spikes", out var spikesNode) && doc.Boolean(spikesNode, "record.spikes");
        if (spikes && model.Threshold is null)
            throw doc.Error(spikesNode!, "record.spikes: the model has no threshold, so it never spikes; add model.threshold");
        var final = fields.TryGetValue("final", out var finalNode) ? Variables(doc, finalNode, model, "record.final") : [];
        var events = fields.TryGetValue("events", out var eventsNode) ? Events(doc, eventsNode, model) : [];
        if (!fields.TryGetValue("state", out var stateNode)) return (spikes, null, final, events);

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
        return (spikes, recording, final, events);
    }

    /// <summary>record.events: custom events of the model, each recorded by an EventMonitor at Brian's default point.</summary>
    private static List<string> Events(DocumentReader doc, ConfigNode node, AnalyzedModel model)
    {
        var known = model.Definition.CustomEvents.Select(e => e.Name).ToList();
        var names = new List<string>();
        foreach (var item in node is ConfigSequence seq ? seq.Items : [node])
        {
            string name = doc.Scalar(item, "record.events").Text.Trim();
            if (!known.Contains(name))
                throw doc.Error(item, $"record.events: the model has no custom event '{name}'" + (known.Count == 0
                    ? "; define it in model.events" : DocumentReader.Hint(name, known)));
            if (names.Contains(name)) throw doc.Error(item, $"record.events: '{name}' is listed twice");
            names.Add(name);
        }
        return names;
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
