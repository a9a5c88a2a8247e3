using System.Globalization;
using System.Management.Automation;
using System.Text;
using SocketShell.Common;
using SocketShell.Resources;

namespace SocketShell.Transformations;

/// <summary>
/// Lets an <see cref="Encoding"/> parameter take the names PowerShell users know (utf8, ascii,
/// unicode, bigendianunicode, utf32, latin1), any .NET encoding name, a code page number, or an
/// Encoding object. "utf8" means UTF-8 without a byte order mark, as in PowerShell 7.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class EncodingTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        try
        {
            return value switch
            {
                Encoding e => e,
                int codePage => Encoding.GetEncoding(codePage),
                string name => Payload.GetEncoding(name),
                _ => throw new ArgumentException($"'{value}' is not an encoding."),
            };
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ArgumentTransformationMetadataException(
                string.Format(CultureInfo.CurrentCulture, Messages.EncodingInvalid, e.Message), e);
        }
    }
}
