using System.Globalization;
using System.Management.Automation;
using SocketShell.Common;
using SocketShell.Resources;

namespace SocketShell.Transformations;

/// <summary>
/// Lets a TimeSpan parameter take a number of seconds (<c>-Timeout 5</c>, <c>-Timeout 0.25</c>), a
/// string with a unit (<c>'250ms'</c>, <c>'5s'</c>, <c>'1m'</c>, <c>'2h'</c>), or a TimeSpan. Anything else,
/// a negative value, or zero (unless <see cref="AllowZero"/>) fails parameter binding with the reason.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TimeoutTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>Whether zero is a valid value (e.g. "do not wait").</summary>
    public bool AllowZero { get; set; }

    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        if (!DurationParser.TryConvert(value, out TimeSpan duration, out string? error))
        {
            throw new ArgumentTransformationMetadataException(
                string.Format(CultureInfo.CurrentCulture, Messages.TimeoutInvalid, error));
        }

        if (duration == TimeSpan.Zero && !AllowZero)
        {
            throw new ArgumentTransformationMetadataException(
                string.Format(CultureInfo.CurrentCulture, Messages.TimeoutNotPositive, value));
        }

        return duration;
    }
}
