namespace SocketShell.SystemSockets;

/// <summary>Reads a /proc/net table file for the Linux socket sources.</summary>
internal static class ProcNetFile
{
    /// <summary>
    /// Reads <paramref name="path"/> whole; when it cannot be read (no such table in this kernel, no
    /// procfs, access refused) says so in <paramref name="notes"/> and returns false.
    /// </summary>
    public static bool TryRead(string path, List<string> notes, out string text, out Exception? failure)
    {
        try
        {
            text = File.ReadAllText(path);
            failure = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.Add($"{path} could not be read ({e.Message}).");
            text = string.Empty;
            failure = e;
            return false;
        }
    }
}
