// The live transcript of both sides, built from server events (either connection mode).

export class Transcript {
  constructor(list) {
    this.list = list;
    this.entries = new Map(); // item id -> { role, text, element }
  }

  entry(itemId, role) {
    let entry = this.entries.get(itemId);
    if (!entry) {
      const element = document.createElement("li");
      element.className = role;
      this.list.append(element);
      entry = { role, text: "", element };
      this.entries.set(itemId, entry);
    }
    return entry;
  }

  write(itemId, role, text, { append }) {
    const entry = this.entry(itemId, role);
    entry.text = append ? entry.text + text : text;
    entry.element.textContent = entry.text;
    entry.element.scrollIntoView({ block: "nearest" });
  }

  markCut(itemId) {
    const entry = this.entries.get(itemId);
    if (entry) entry.element.classList.add("cut");
  }

  // Server events that change what is shown.
  handle(event) {
    switch (event.type) {
      case "conversation.item.input_audio_transcription.delta":
        this.write(event.item_id, "user", event.delta, { append: true });
        break;
      case "conversation.item.input_audio_transcription.completed":
        this.write(event.item_id, "user", event.transcript, { append: false });
        break;
      case "response.output_audio_transcript.delta":
      case "response.output_text.delta":
        this.write(event.item_id, "assistant", event.delta, { append: true });
        break;
      case "response.done":
        for (const item of event.response.output || []) {
          if (item.type === "function_call") {
            this.write(item.id, "tool", `${item.name}(${item.arguments})`, { append: false });
          }
        }
        break;
      case "conversation.item.added":
      case "conversation.item.done":
        if (event.item.type === "function_call_output") {
          this.write(event.item.id, "tool", `→ ${event.item.output}`, { append: false });
        }
        break;
      default:
        break;
    }
  }

  // What tests and screenshots read: every line, in order.
  lines() {
    return [...this.entries.values()].map(({ role, text }) => ({ role, text }));
  }
}
