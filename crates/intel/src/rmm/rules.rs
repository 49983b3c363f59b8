//! The exclusion rules of the catalog derivation (see `docs/intel.md`).

/// LOLRMM entries left out whole: not tools that let someone else drive the
/// machine, but everyday developer/IT software (outbound SSH/RDP clients,
/// file sync, mesh VPNs and tunnels, messengers and meetings, accessibility,
/// security and anti-theft agents found on most corporate laptops).
#[rustfmt::skip]
pub const EXCLUDED_TOOLS: &[&str] = &[
    // outbound SSH / terminal / RDP clients and connection managers
    "Bitvise SSH Client", "Bitvise SSH Server", "Chrome SSH Extension", "ExtraPuTTY", "KiTTY",
    "MobaXterm", "PuTTY", "PuTTY Tray", "SecureCRT", "SmarTTY", "Solar-PuTTY", "SuperPuTTY",
    "Xshell", "ZOC", "Terminals", "mRemoteNG", "RDCMan", "RdClient", "Remmina", "FreeRDP",
    "mstsc.exe (Microsoft Remote Desktop Connection)", "Remote Desktop Manager (Devolutions)",
    "Devolutions Remote Desktop Manager", "Royal TS", "Royal Apps", "Teleport Connect", "tmate",
    // file transfer, sync, backup, cloud storage
    "WinSCP", "SmartFTP", "S3 Browser", "MEGAsync", "Syncthing", "Insync", "Koofr",
    "Yandex.Disk", "Duplicati", "DragonDisk", "MultCloud", "NordLocker", "iDrive", "BeInSync",
    "Onionshare",
    // mesh VPNs and tunnels used in development
    "Tailscale", "ZeroTier", "NetBird", "ngrok", "CloudFlare Tunnel", "LocalXpose",
    "Dev Tunnels (aka Visual Studio Dev Tunnel)", "Visual Studio Dev Tunnel",
    // messengers, meetings, collaboration, input sharing
    "Basecamp", "Adobe Connect", "WebEx (Remote Access)", "QQ IM-remote assistance",
    "AliWangWang-remote-control", "Mouse Without Borders", "Synergy",
    // accessibility, utilities, security and anti-theft agents
    "NVDA (Non-Visual Desktop Access)", "Free Ping Tool", "Free Tools Launcher",
    "Absolute (Computrace)", "Sophos-Remote Management System", "Rapid7",
    "ESET Remote Administrator", "Tanium", "Tanium Deploy", "Zabbix Agent",
    // remote command execution utilities of administrators
    "PSEXEC", "PSEXEC (Clone)",
];

/// Executable names that are operating-system, runtime or shell binaries,
/// or words any vendor uses: never tool evidence on their own.
#[rustfmt::skip]
pub const GENERIC_PROCESSES: &[&str] = &[
    "rundll32", "svchost", "python", "python3", "pythonw", "powershell", "pwsh", "cmd",
    "conhost", "explorer", "msiexec", "java", "javaw", "node", "chrome", "msedge", "firefox",
    "wscript", "cscript", "mshta", "regsvr32", "dllhost", "taskhost", "taskhostw", "services",
    "lsass", "winlogon", "dwm", "csrss", "smss", "wininit", "spoolsv", "ssh", "sshd", "bash",
    "curl", "wget", "mstsc", "plink", "putty", "openssh", "agent", "dashboard", "client",
    "server", "service", "setup", "install", "installer", "update", "updater", "uninstall",
    "launcher", "helper", "host", "remote", "support", "connect", "config", "supporttool",
    "notificationhelper", "rdp", "vnc", "tray", "monitor", "viewer", "remote_host", "appcore",
    "agent32", "agent64", "agentu", "remote desktop", "remote access", "online backup",
    "installshield setup", "upload", "httpget", "regapps", "cpuchk", "sysdiag", "rhost",
    "vhost", "softmon", "level", "duet", "psexec", "paexec", "csexec", "xcmd", "xcmdsvc",
    "remcom",
];

/// Software-name patterns that are ordinary words or other products' names.
#[rustfmt::skip]
pub const GENERIC_SOFTWARE: &[&str] = &[
    "level", "remotely", "centurion", "fortra", "chicken", "kabuto", "komari", "nezha",
    "remotepass", "barracuda", "manageengine", "vnc",
];

/// Domains whose sub-domains belong to many unrelated customers: a wildcard
/// on or under them is dropped.
#[rustfmt::skip]
pub const SHARED_HOSTING: &[&str] = &[
    "amazonaws.com", "cloudfront.net", "cloudflare.com", "cloudflarestorage.com", "r2.dev",
    "azurewebsites.net", "azureedge.net", "windows.net", "googleusercontent.com", "appspot.com",
    "herokuapp.com", "github.io", "githubusercontent.com", "akamaized.net", "akamaiedge.net",
    "edgekey.net", "edgesuite.net", "fastly.net", "firebaseio.com", "digitaloceanspaces.com",
    "trafficmanager.net", "azure.com",
];

/// Umbrella domains of vendors with many unrelated products: the apex and a
/// wildcard on the apex are dropped (specific sub-domains stay).
#[rustfmt::skip]
pub const VENDOR_UMBRELLA: &[&str] = &[
    "google.com", "googleapis.com", "microsoft.com", "live.com", "office.com", "apple.com",
    "icloud.com", "zoho.com", "zoho.eu", "zoho.in", "sophos.com", "sophosupd.com",
    "sophosupd.net", "freshworks.com", "freshchat.com", "freshdev.io", "myfreshworks.com",
    "freshworksapi.com", "in-freshbots.ai", "parallels.com", "ivanti.com", "acronis.com",
    "qq.com", "webex.com", "adobe.com", "github.com", "cloudflare.com",
];
