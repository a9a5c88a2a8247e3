using System.Globalization;
using System.Management.Automation;

namespace SocketShell.Transformations;

/// <summary>
/// Lets a <see cref="UnixFileMode"/> parameter take an octal string as chmod does (<c>'0660'</c>,
/// <c>'660'</c>, <c>'0o600'</c>), an integer mode value (<c>0x1B0</c> or 432 for 0660), or the enum's names
/// (<c>'UserRead, UserWrite'</c>). PowerShell has no octal literals, so 660 typed as a number means
/// decimal 660, which is refused as out of range only when it is above 07777.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class FileModeTransformationAttribute : ArgumentTransformationAttribute
{
    private const int MaxMode = 0xFFF; // 07777

    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        switch (value)
        {
            case UnixFileMode mode:
                return mode;
            case int or long or short or byte or uint:
                long number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return Checked(number, value);
            case string text:
                string t = text.Trim();
                if (t.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
                {
                    t = t[2..];
                }

                if (t.Length is >= 1 and <= 5 && t.All(c => c is >= '0' and <= '7'))
                {
                    return Checked(Convert.ToInt64(t, 8), text);
                }

                if (Enum.TryParse(text, ignoreCase: true, out UnixFileMode named) && !int.TryParse(text, out _))
                {
                    return named;
                }

                break;
        }

        throw new ArgumentTransformationMetadataException(
            $"'{value}' is not a file mode. Give an octal string such as '0660' or '0600', or UnixFileMode names such as 'UserRead, UserWrite'.");
    }

    private static UnixFileMode Checked(long number, object? original)
    {
        if (number is < 0 or > MaxMode)
        {
            throw new ArgumentTransformationMetadataException(
                $"{original} is not a file mode (0 to 07777). PowerShell reads 660 as a decimal number: write the octal mode as a string, '0660'.");
        }

        return (UnixFileMode)number;
    }
}
