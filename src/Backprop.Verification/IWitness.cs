namespace Backprop.Verification;

/// <summary>
/// An independent computation of what a training case should give: libtorch, in the oracle
/// project (<c>Backprop.Oracle.TorchWitness</c>). Verification needs one to write fixtures and to
/// judge random cases, and never depends on how it computes.
/// Implementations are called from one thread at a time, though not always the same one (the verifier prepares the next case in the background).
/// </summary>
public interface IWitness
{
    /// <summary>Who computed the expectations, as written into a fixture's <c>generator</c> field.</summary>
    string Name { get; }

    /// <summary>Every quantity of every step of <paramref name="trainingCase"/>, in its layout, computed in <paramref name="dtype"/>.</summary>
    IReadOnlyList<StepRecord<double>> Run(TrainingCase trainingCase, DType dtype);
}
