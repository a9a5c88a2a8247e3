using System.Globalization;
using System.Management.Automation;

namespace SocketShell.Transformations;

/// <summary>
/// Lets a <see cref="UnixFileMode"/> parameter take a mode as chmod does: <c>'0660'</c>, <c>'660'</c>,
/// <c>'0o600'</c>, or the same digits typed as a number (<c>-Permission 0660</c>: PowerShell has no octal
/// literals and reads 0660 as the number 660, so a number's decimal digits are read as octal digits, as
/// chmod 660 does), a <see cref="UnixFileMode"/> value, or the enum's names (<c>'UserRead, UserWrite'</c>).
/// A number with an 8 or 9 among its digits is refused.
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
                string digits = Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                if (digits.All(c => c is >= '0' and <= '7'))
                {
                    return Checked(Convert.ToInt64(digits, 8), value);
                }

                throw new ArgumentTransformationMetadataException(
                    $"{value} is not a file mode: its digits are read as octal digits, as chmod does (0660, 600, 0644), so 8 and 9 cannot appear.");
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
                $"{original} is not a file mode: modes go from 0 to 07777, e.g. '0660'.");
        }

        return (UnixFileMode)number;
    }
}
