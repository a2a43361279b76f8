using System.Text;
using NeuroNative.Models.Analysis;
using NeuroNative.Models.Integrators;
using NeuroNative.Models.IR;

namespace NeuroNative.Models.Reporting;

/// <summary>The step program's IR as text (<c>neuronative codegen --target ir</c>).</summary>
public static class IrListing
{
    /// <summary>Every section of one step as infix IR, with the model's names.</summary>
    public static string Write(StepProgram program, string title)
    {
        var model = program.Model;
        var names = model.Names;
        var sb = new StringBuilder();
        sb.Append("# IR of ").AppendLine(title);
        sb.Append("# method: ").Append(program.MethodName).Append(" (").Append(program.MethodReason).AppendLine(")");
        Declarations(sb, model);

        if (program.Derivatives.Count > 0)
        {
            sb.AppendLine().AppendLine("derivatives:");
            for (int v = 0; v < program.Derivatives.Count; v++)
                sb.Append("  d").Append(model.States[v].Name).Append("/dt = ").AppendLine(IrPrinter.Print(program.Derivatives[v], names));
        }
        if (program.Method.Kind == MethodKind.LinearSystem)
        {
            sb.AppendLine().AppendLine("linear system (dX/dt = M*X + c):");
            int n = program.LinearB.Count;
            for (int v = 0; v < n; v++)
            {
                for (int j = 0; j < n; j++)
                    if (!program.LinearA[v * n + j].IsConstantValue(0))
                        sb.Append("  M[").Append(model.States[v].Name).Append(", ").Append(model.States[j].Name).Append("] = ")
                          .AppendLine(IrPrinter.Print(program.LinearA[v * n + j], names));
                sb.Append("  c[").Append(model.States[v].Name).Append("] = ").AppendLine(IrPrinter.Print(program.LinearB[v], names));
            }
        }
        else if (program.LinearA.Count > 0)
        {
            sb.AppendLine().AppendLine("linear (dx/dt = A*x + B, per variable):");
            for (int v = 0; v < program.LinearA.Count; v++)
            {
                sb.Append("  ").Append(model.States[v].Name).Append(": A = ").AppendLine(IrPrinter.Print(program.LinearA[v], names));
                sb.Append("  ").Append(' ', model.States[v].Name.Length).Append("  B = ").AppendLine(IrPrinter.Print(program.LinearB[v], names));
            }
        }
        if (program.Noise.Count > 0 && program.NoiseTerms > 0)
        {
            sb.AppendLine().AppendLine("noise (factor of dW per term):");
            for (int v = 0; v < program.Noise.Count; v++)
                for (int j = 0; j < program.Noise[v].Count; j++)
                    sb.Append("  ").Append(model.States[v].Name).Append(" * d").Append(model.NoiseTerms[j]).Append(": ")
                      .AppendLine(IrPrinter.Print(program.Noise[v][j], names));
        }
        if (model.Threshold is { } threshold)
            sb.AppendLine().Append("threshold: ").AppendLine(IrPrinter.Print(threshold, names));
        Stores(sb, "reset", model.Reset, model);
        if (model.Refractory is { } refractory)
            sb.AppendLine().Append("refractory (").Append(model.RefractoryKind.ToString().ToLowerInvariant()).Append("): ")
              .AppendLine(IrPrinter.Print(refractory, names));
        for (int e = 0; e < model.Events.Count; e++) Stores(sb, $"event {e}", model.Events[e], model);
        foreach (var o in model.Operations)
            Stores(sb, $"operation {o.Name} (slot {o.Slot}{(o.Dt is { } dt ? $", every {dt} s" : "")})", o.Stores, model);
        return sb.ToString();
    }

    /// <summary>The states and parameters with their indices, units and defaults.</summary>
    internal static void Declarations(StringBuilder sb, AnalyzedModel model)
    {
        sb.AppendLine().AppendLine("states:");
        for (int k = 0; k < model.States.Count; k++)
            sb.Append("  state[").Append(k).Append("] ").Append(model.States[k].Name).Append(" : ").AppendLine(model.States[k].Dimension.ToBrianString());
        if (model.Parameters.Count > 0)
        {
            sb.AppendLine("parameters:");
            for (int k = 0; k < model.Parameters.Count; k++)
            {
                var p = model.Parameters[k];
                sb.Append("  param[").Append(k).Append("] ").Append(p.Name).Append(" : ").Append(p.Dimension.ToBrianString());
                if (p.Default is { } d) sb.Append(" = ").Append(IrPrinter.FormatNumber(d));
                sb.AppendLine();
            }
        }
    }

    private static void Stores(StringBuilder sb, string title, IReadOnlyList<IrStore> stores, AnalyzedModel model)
    {
        if (stores.Count == 0) return;
        sb.AppendLine().Append(title).AppendLine(":");
        foreach (var s in stores)
        {
            string target = s.Kind == VariableKind.State ? model.States[s.Index].Name : model.Parameters[s.Index].Name;
            sb.Append("  ").Append(target).Append(" = ").AppendLine(IrPrinter.Print(s.Value, model.Names));
        }
    }
}
