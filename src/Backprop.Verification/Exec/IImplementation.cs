using System.Text.Json.Nodes;

namespace Backprop.Verification;

/// <summary>
/// Someone's backprop, asked one case at a time: given a fixture's case (its expectations are not
/// shown), it answers with what it computed, step by step. A process speaking the
/// <c>verify --exec</c> protocol is one (<see cref="ProcessImplementation"/>); a C# network
/// in-process is another. The engine treats them alike.
/// Implementations need not be thread-safe: a verifier asks one question at a time.
/// </summary>
public interface IImplementation
{
    /// <summary>
    /// What the implementation computes for <paramref name="question"/>'s case. Throws
    /// <see cref="ImplementationException"/> when it cannot answer (crashed, timed out, or
    /// answered something that is not valid results for the question).
    /// </summary>
    Results Run(Fixture question);
}

/// <summary>
/// An implementation that can be asked the next question before it has answered the last (a
/// process reading its questions from a pipe): the engine keeps it busy while it compares.
/// </summary>
public interface IPipelinedImplementation : IImplementation
{
    /// <summary>Asks <paramref name="question"/>; its answer comes from a later <see cref="Receive"/>.</summary>
    void Send(Fixture question);

    /// <summary>The answer to the oldest question sent and not yet answered.</summary>
    Results Receive(Fixture question);
}

/// <summary>The implementation failed to answer: it crashed, hung, or answered with something that is not results for the question. Thread-safe: immutable.</summary>
public sealed class ImplementationException(string message) : Exception(message);

/// <summary>The protocol's question: a <c>backprop-fixture/1</c> object without <c>expected</c> and <c>tolerance</c>, on one line. Thread-safe: it holds no state.</summary>
public static class Question
{
    public static string Write(Fixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        JsonObject json = JsonNode.Parse(FixtureWriter.Write(fixture with { Expected = [], Tolerance = null }))!.AsObject();
        json.Remove("expected");
        return json.ToJsonString();
    }
}
