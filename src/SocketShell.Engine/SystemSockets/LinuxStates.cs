namespace SocketShell.SystemSockets;

/// <summary>Linux TCP state numbers (include/net/tcp_states.h) to <see cref="SystemSocketState"/>.</summary>
internal static class LinuxStates
{
    public static SystemSocketState Map(TransportProtocol protocol, int state)
    {
        if (protocol == TransportProtocol.Udp)
        {
            // UDP reuses TCP_ESTABLISHED for connected sockets and TCP_CLOSE for merely bound ones.
            return state switch
            {
                1 => SystemSocketState.Connected,
                7 => SystemSocketState.Bound,
                _ => SystemSocketState.Unknown,
            };
        }

        return state switch
        {
            1 => SystemSocketState.Established,
            2 => SystemSocketState.SynSent,
            3 => SystemSocketState.SynReceived,
            4 => SystemSocketState.FinWait1,
            5 => SystemSocketState.FinWait2,
            6 => SystemSocketState.TimeWait,
            7 => SystemSocketState.Close,
            8 => SystemSocketState.CloseWait,
            9 => SystemSocketState.LastAck,
            10 => SystemSocketState.Listen,
            11 => SystemSocketState.Closing,
            12 => SystemSocketState.NewSynReceived,
            _ => SystemSocketState.Unknown,
        };
    }
}
