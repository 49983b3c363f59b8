//! Everything enrichment needs, loaded once.

use std::net::IpAddr;

use molehunt_model::{IpInfo, RemoteToolHit, UsbDevice, UsbHit};

use crate::{IntelError, IpIntel, RmmCatalog, scan_jiggler_software, scan_usb};

/// IP intelligence and the remote-access tool catalog. Load it once
/// ([`Intel::bundled`], then the `ip.load_*` methods for newer data) and
/// share it behind an `Arc`: it is `Send + Sync` and all lookups take `&self`.
#[derive(Debug, Clone)]
pub struct Intel {
    pub ip: IpIntel,
    pub rmm: RmmCatalog,
}

impl Intel {
    /// The bundled IP tables and LOLRMM catalog.
    pub fn bundled() -> Result<Self, IntelError> {
        Ok(Intel {
            ip: IpIntel::bundled()?,
            rmm: RmmCatalog::bundled()?,
        })
    }

    /// What is known about an IP address.
    pub fn enrich_ip(&self, ip: IpAddr) -> IpInfo {
        self.ip.lookup(ip)
    }

    /// What is known about an IP address given as text; `None` when the text
    /// is not an IP address.
    pub fn enrich_ip_str(&self, ip: &str) -> Option<IpInfo> {
        ip.trim().parse().ok().map(|ip| self.ip.lookup(ip))
    }

    /// Remote-access tools in a device report's inventory.
    pub fn remote_tools(
        &self,
        software: &[String],
        processes: &[String],
        domains: &[String],
    ) -> Vec<RemoteToolHit> {
        self.rmm.scan(software, processes, domains)
    }

    /// IP-KVM and jiggler hardware plus jiggler software of a device report.
    pub fn usb_and_jigglers(
        &self,
        usb: &[UsbDevice],
        software: &[String],
        processes: &[String],
    ) -> Vec<UsbHit> {
        let mut hits = scan_usb(usb);
        hits.extend(scan_jiggler_software(software, processes));
        hits
    }
}
