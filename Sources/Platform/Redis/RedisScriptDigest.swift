import Crypto
import Foundation

/// The SHA-1 of a Lua script, which is how `EVALSHA` names it (a name, not a security measure).
enum RedisScriptDigest {
    /// The 40 lower-case hex digits of the SHA-1 of `script`'s UTF-8 bytes.
    static func sha1(_ script: String) -> String {
        Insecure.SHA1.hash(data: Data(script.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
