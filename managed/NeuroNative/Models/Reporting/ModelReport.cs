using System.Text;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;
using NeuroNative.Models.Units;

namespace NeuroNative.Models.Reporting;

/// <summary>
/// A readable Markdown report of a model, like TVB-O's generate_report: state equations,
/// subexpressions, parameters and constants with value, unit and description, spiking, method.
/// </summary>
public static class ModelReport
{
    public static string Markdown(StepProgram program, string title = "Model")
    {
        var model = program.Model;
        var sb = new StringBuilder();
        sb.Append("# ").AppendLine(title).AppendLine();

        sb.AppendLine("## State equations").AppendLine();
        sb.AppendLine("| Variable | Equation | Unit | Flags | Description |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var s in model.States)
            sb.AppendLine($"| {s.Name} | `d{s.Name}/dt = {Cell(s.Expression)}` | {Unit(s.Dimension)} | " +
                $"{(s.UnlessRefractory ? "unless refractory" : "")} | {Cell(s.Description)} |");
        sb.AppendLine();

        if (model.Subexpressions.Count > 0)
        {
            sb.AppendLine("## Subexpressions (in evaluation order)").AppendLine();
            sb.AppendLine("| Name | Expression | Unit | Description |");
            sb.AppendLine("|---|---|---|---|");
            foreach (var s in model.Subexpressions)
                sb.AppendLine($"| {s.Name} | `{Cell(s.Expression)}` | {(s.IsBoolean ? "boolean" : Unit(s.Dimension))} | {Cell(s.Description)} |");
            sb.AppendLine();
        }

        if (model.Functions.Count > 0)
        {
            sb.AppendLine("## Functions (inlined where called)").AppendLine();
            sb.AppendLine("| Function | Expression | Flags |");
            sb.AppendLine("|---|---|---|");
            foreach (var f in model.Functions)
                sb.AppendLine($"| {Code(f.Signature)} | {Code(f.Expression)} | {(f.DiscardUnits ? "discard units" : "")} |");
            sb.AppendLine();
        }

        sb.AppendLine("## Parameters").AppendLine();
        sb.AppendLine("| Parameter | Value | Unit | Kind | Description |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var p in model.Parameters)
        {
            string kind = p.FromNamespace ? "per neuron (from namespace)" : p.IsShared ? "shared" : "per neuron";
            if (p.IsConstant) kind += ", constant";
            string value = p.Default is { } d ? IrPrinter.FormatNumber(d) : "set per neuron";
            string unit = p.Type switch { VariableType.Boolean => "boolean", VariableType.Integer => "integer", _ => Unit(p.Dimension) };
            sb.AppendLine($"| {p.Name} | {value} | {unit} | {kind} | {Cell(p.Description)} |");
        }
        foreach (var c in model.Constants.Where(c => model.ParameterIndex(c.Name) < 0))
            sb.AppendLine($"| {c.Name} | {IrPrinter.FormatNumber(c.Value.Value)} | {Unit(c.Value.Dimension)} | constant | " +
                $"{(c.Expression is null ? "" : $"`{Cell(c.Expression)}`")} |");
        foreach (var input in model.Inputs)
            sb.AppendLine($"| {input.Name} | TimedArray {input.Array.Times} x {input.Array.Columns}, dt {IrPrinter.FormatNumber(input.Array.Dt)} s | " +
                $"{Unit(input.Array.Unit)} | input | |");
        sb.AppendLine();

        if (model.NoiseTerms.Count > 0)
            sb.AppendLine($"Noise terms: {string.Join(", ", model.NoiseTerms.Select(n => $"`{n}`"))} (white noise, unit second**-0.5).").AppendLine();

        var def = model.Definition;
        sb.AppendLine("## Spiking").AppendLine();
        sb.AppendLine($"- Threshold: {Code(def.Threshold)}");
        sb.AppendLine($"- Reset: {Code(def.Reset)}");
        sb.AppendLine($"- Refractory: {Code(def.Refractory)}" + model.RefractoryKind switch
        {
            RefractoryKind.Duration => " (a duration)",
            RefractoryKind.Condition => " (a condition: refractory while it holds)",
            _ => "",
        });
        sb.AppendLine();

        sb.AppendLine("## Integration").AppendLine();
        sb.AppendLine($"- Method: `{program.MethodName}` ({program.MethodReason})");
        foreach (var warning in program.Warnings) sb.AppendLine($"- Warning: {warning}");
        sb.AppendLine($"- Free parameters (sweepable): {string.Join(", ", model.FreeParameters.Select(n => $"`{n}`"))}");
        return sb.ToString();
    }

    private static string Unit(Dimension d) => d.IsDimensionless ? "1" : d.ToBrianString();

    private static string Cell(string? text) => (text ?? "").Replace("|", "\\|").Replace("\r", "").Replace("\n", " ");

    private static string Code(string? text) => string.IsNullOrWhiteSpace(text) ? "none" : $"`{Cell(text.Trim())}`";
}
