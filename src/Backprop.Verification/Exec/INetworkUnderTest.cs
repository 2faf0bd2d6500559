namespace Backprop.Verification;

/// <summary>
/// Your own network code, as the in-process oracle asks it: train the case's network from its
/// starting parameters for its steps (step k uses batch k mod the number of batches), in the
/// given dtype, and report what each step computed. Matrices are oriented as the case's
/// <see cref="TrainingCase.Layout"/> says; the oracle only draws the layouts you allow.
/// Implementations need not be thread-safe: one question is asked at a time.
/// </summary>
public interface INetworkUnderTest
{
    /// <summary>One record per step: each layer's Z, A, ∂J/∂A, ∂J/∂Z, ∂J/∂W, ∂J/∂b, and the parameters after the update (null without an optimizer).</summary>
    IReadOnlyList<StepRecord<double>> Train(TrainingCase trainingCase, DType dtype);
}

/// <summary>An <see cref="INetworkUnderTest"/> as the engine's <see cref="IImplementation"/>: anything it throws ends the run, named. Not thread-safe: it asks its network one question at a time, as the network may keep state.</summary>
public sealed class InProcessImplementation(INetworkUnderTest network) : IImplementation
{
    public Results Run(Fixture question)
    {
        ArgumentNullException.ThrowIfNull(question);
        IReadOnlyList<StepRecord<double>> steps;
        try
        {
            steps = network.Train(question.Case, question.DType);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImplementationException($"{network.GetType().Name}.Train threw on case {question.Name}: {e.GetType().Name}: {e.Message}");
        }

        if (steps is null)
        {
            throw new ImplementationException($"{network.GetType().Name}.Train returned null for case {question.Name}");
        }

        return Results.From(question.Name, steps);
    }
}
