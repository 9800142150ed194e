// The script of the LTI tool's in-between pages (relay/src/lti_routes.rs), served as
// /lti/pages.js; each page gives it its work in the data block #lti-work:
//   {"post": {"action", "fields"}}: post the fields to the platform (the answer to a deep-
//   linking request goes back this way, as a form post the browser makes);
// and, for the LTI client-side postMessage storage (1EdTech lti-pm-s), where the platform's
// frame keeps no cookie of the tool (Safari):
//   {"put": {"target", "key", "value"}, "next": URL}: store the login's secret in the
//   platform's frame, then go on to the platform's authorization (also when the platform
//   does not answer within 2 s: the cookie may still work);
//   {"get": {"target", "key"}, "launch": {"action", "id_token", "state"}}: read the secret
//   back and post the launch again with it, as proof that it comes from this browser.
(() => {
  const work = JSON.parse(document.getElementById("lti-work").textContent);
  const post = (action, fields) => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = action;
    for (const [name, text] of Object.entries(fields)) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = text;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  };
  if (work.post) {
    post(work.post.action, work.post.fields);
    return;
  }
  const ask = work.put || work.get;
  const frame = ask.target === "_parent" ? window.parent : window.parent.frames[ask.target];
  const id = crypto.randomUUID();
  const subject = work.put ? "lti.put_data" : "lti.get_data";
  const finish = (value) => {
    if (work.put) {
      location.replace(work.next);
      return;
    }
    post(work.launch.action, {
      id_token: work.launch.id_token,
      state: work.launch.state,
      storage_value: value || "",
    });
  };
  const timer = setTimeout(() => finish(""), 2000);
  addEventListener("message", (event) => {
    const answer = event.data;
    // Only the platform's frame, answering this very message.
    if (event.source !== frame || !answer || answer.message_id !== id) return;
    if (answer.subject !== `${subject}.response`) return;
    clearTimeout(timer);
    finish(answer.value);
  });
  const message = { subject, message_id: id, key: ask.key };
  if (work.put) message.value = ask.value;
  if (frame) {
    frame.postMessage(message, "*");
  } else {
    clearTimeout(timer);
    finish("");
  }
})();
