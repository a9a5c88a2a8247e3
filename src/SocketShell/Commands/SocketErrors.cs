using System.Management.Automation;
using SocketShell.Common;

namespace SocketShell.Commands;

/// <summary>
/// Builds every ErrorRecord the module writes: ErrorId is the engine's <see cref="SocketErrorKind"/>
/// name (or a specific id the cmdlet gives), with the category that kind means.
/// </summary>
internal static class SocketErrors
{
    /// <summary>The ErrorCategory for each kind of failure (from the catalogue, <see cref="ErrorIds"/>).</summary>
    public static ErrorCategory CategoryOf(SocketErrorKind kind) => ErrorIds.CategoryOf(kind.ToString());

    /// <summary>An ErrorRecord for a module id of the catalogue, with the catalogue's category.</summary>
    public static ErrorRecord Record(Exception exception, string errorId, object? target) =>
        new(exception, errorId, ErrorIds.CategoryOf(errorId), target);

    /// <summary>
    /// Creates the ErrorRecord for <paramref name="exception"/>. Without <paramref name="errorId"/> the
    /// id is the classified kind's name (e.g. ConnectionRefused), or "SocketOperationFailed" when the
    /// failure is not one SocketShell knows.
    /// </summary>
    public static ErrorRecord Create(Exception exception, object? target, string? errorId = null, ErrorCategory? category = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        SocketErrorKind kind = SocketFailure.Classify(exception);
        string id = errorId ?? (kind == SocketErrorKind.Unknown ? ErrorIds.SocketOperationFailed : kind.ToString());
        var record = new ErrorRecord(exception, id, category ?? ErrorIds.CategoryOf(id), target);
        if (target is not null)
        {
            record.ErrorDetails = new ErrorDetails($"{target}: {exception.Message}");
        }

        if (kind == SocketErrorKind.InvalidComputerName)
        {
            record.ErrorDetails ??= new ErrorDetails(exception.Message);
            record.ErrorDetails.RecommendedAction = Resources.Messages.InvalidComputerNameAction;
        }

        return record;
    }
}
